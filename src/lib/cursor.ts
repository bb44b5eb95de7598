/**
 * Listing cursors and prefix ranges. A cursor means "start after this key", so keys
 * written between pages are never skipped; it is opaque to callers (base64url of the
 * key and a digest of it).
 */
import { createHash } from 'node:crypto';
import { ValidationError } from './errors.js';
import { truncateText } from './words.js';

export function encodeCursor(lastKey: string): string {
  return `${Buffer.from(lastKey, 'utf8').toString('base64url')}.${cursorTag(lastKey)}`;
}

/**
 * The key a cursor starts after. A cursor carries a short digest of its key, so one that
 * was mangled or made up is refused (exit 2 / HTTP 400) instead of silently listing
 * from the wrong place.
 */
export function decodeCursor(cursor: string): string {
  const match = /^([A-Za-z0-9_-]*)\.([A-Za-z0-9_-]{8})$/.exec(cursor);
  const key = match ? Buffer.from(match[1] as string, 'base64url').toString('utf8') : null;
  if (match === null || key === null || cursorTag(key) !== match[2]) {
    throw new ValidationError(
      'CURSOR_INVALID',
      `invalid cursor ${JSON.stringify(truncateText(cursor, 40, ''))}: it was not made by a listing`,
      {
        hint: 'pass the cursor exactly as a previous listing returned it (or start again without --cursor)',
      },
    );
  }
  return key;
}

function cursorTag(key: string): string {
  return createHash('sha256').update('kvadm cursor\0').update(key, 'utf8').digest('base64url').slice(0, 8);
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
