/**
 * Key order, listing cursors and prefix ranges. A cursor means "start after this key", so keys
 * written between pages are never skipped; it is opaque to callers (base64url of the
 * key and a digest of it).
 */
import { crypto } from './lazy-builtins.js';
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
  return crypto().createHash('sha256').update('kvadm cursor\0').update(key, 'utf8').digest('base64url').slice(0, 8);
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

/**
 * UTF-8 byte order on JS strings without encoding them: UTF-16 code units sort the same
 * way except that surrogates (U+D800–DFFF, which encode code points above U+FFFF) must
 * come after U+E000–FFFF, as their UTF-8 lead bytes do.
 */
export function compareKeys(a: string, b: string): number {
  if (a === b) return 0;
  const length = Math.min(a.length, b.length);
  for (let i = 0; i < length; i++) {
    let x = a.charCodeAt(i);
    let y = b.charCodeAt(i);
    if (x === y) continue;
    if (x >= 0xd800 && y >= 0xd800) {
      x = x >= 0xe000 ? x - 0x800 : x + 0x2000;
      y = y >= 0xe000 ? y - 0x800 : y + 0x2000;
    }
    return x - y;
  }
  return a.length - b.length;
}
