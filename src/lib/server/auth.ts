/** Bearer-token checking for `kvadm serve`, in constant time. */
import { createHash, timingSafeEqual } from 'node:crypto';

/**
 * A checker for `Authorization` header values. Both sides are hashed first so the
 * comparison takes the same time whatever the length or content of the guess.
 */
export function bearerChecker(token: string): (header: string | undefined) => boolean {
  const expected = createHash('sha256').update(token, 'utf8').digest();
  return (header) => {
    const match = /^Bearer\s+(.+)$/i.exec(header ?? '');
    const given = createHash('sha256')
      .update(match ? (match[1] as string) : '', 'utf8')
      .digest();
    // Hash-compare even without a match so a missing header costs the same as a wrong one.
    return timingSafeEqual(given, expected) && match !== null;
  };
}
