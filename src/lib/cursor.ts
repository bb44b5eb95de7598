/**
 * Listing cursors and prefix ranges. A cursor means "start after this key"; it is
 * opaque to callers (base64url of the key) so keys written between pages are never
 * skipped, whichever backend produced it.
 */
import { ValidationError } from './errors.js';

export function encodeCursor(lastKey: string): string {
  return Buffer.from(lastKey, 'utf8').toString('base64url');
}

export function decodeCursor(cursor: string): string {
  if (!/^[A-Za-z0-9_-]*$/.test(cursor)) {
    throw new ValidationError('CURSOR_INVALID', `invalid cursor ${JSON.stringify(cursor.slice(0, 40))}`, {
      hint: 'pass the cursor exactly as a previous listing returned it',
    });
  }
  return Buffer.from(cursor, 'base64url').toString('utf8');
}

/**
 * The smallest string above every string that starts with `prefix`, in UTF-8 byte
 * order (which is code point order): the prefix with its last code point incremented.
 * null when there is no bound (empty prefix, or only U+10FFFF).
 */
export function prefixUpperBound(prefix: string): string | null {
  const codePoints = [...prefix];
  while (codePoints.length > 0) {
    const last = (codePoints.pop() as string).codePointAt(0) as number;
    if (last < 0x10ffff) {
      const next = last + 1 === 0xd800 ? 0xe000 : last + 1;
      return codePoints.join('') + String.fromCodePoint(next);
    }
  }
  return null;
}
