/**
 * Words in messages: counts with the right noun form, and text cut to a width without
 * splitting a character. Free of imports so any message path can use it.
 */

/**
 * "1,234,567". Not toLocaleString: its first call loads ICU's number formatting, about 60 ms,
 * which was a third of `kv delete`'s start-up (it prints "deleted 1 of 1 key").
 */
export function count(n: number): string {
  if (!Number.isSafeInteger(n)) return n.toLocaleString('en-US');
  const digits = String(Math.abs(n));
  let grouped = '';
  for (let end = digits.length; end > 0; end -= 3) {
    grouped = digits.slice(Math.max(0, end - 3), end) + (grouped ? `,${grouped}` : '');
  }
  return n < 0 ? `-${grouped}` : grouped;
}

/**
 * A count with its noun in the right number: `counted(1, 'entry', 'entries')` is "1 entry",
 * `counted(1234, 'key')` is "1,234 keys". The plural defaults to the singular plus "s".
 */
export function counted(n: number, singular: string, plural = `${singular}s`): string {
  return `${count(n)} ${n === 1 ? singular : plural}`;
}

let graphemeSegmenter: Intl.Segmenter | undefined;

function segmenter(): Intl.Segmenter {
  graphemeSegmenter ??= new Intl.Segmenter(undefined, { granularity: 'grapheme' });
  return graphemeSegmenter;
}

/** The user-perceived characters of `text` (an emoji with modifiers, a letter with its accents: one each). */
export function graphemes(text: string): string[] {
  return Array.from(segmenter().segment(text), (part) => part.segment);
}

/**
 * `text` cut to at most `max` characters (graphemes), ending in `ellipsis` when cut (the
 * ellipsis counts toward `max`). Never splits a surrogate pair or a grapheme cluster; reads
 * only as far as the cut, so a long text costs no more than a short one.
 */
export function truncateText(text: string, max: number, ellipsis = '…'): string {
  // Fewer UTF-16 units than `max` means fewer graphemes too: nothing to cut, no segmenting.
  if (text.length <= max) return text;
  const ellipsisLength = graphemes(ellipsis).length;
  // Too narrow for the ellipsis: the first `max` characters alone.
  const keep = max > ellipsisLength ? max - ellipsisLength : Math.max(0, max);
  const cut = keep === max ? '' : ellipsis;
  // V8 segments a long string slowly however little of it is read, so segment a prefix that
  // holds `max` ordinary graphemes many times over. Every boundary before the prefix's last
  // one is a boundary of the whole text too.
  const prefix = text.length > max * 16 + 64 ? text.slice(0, max * 16 + 64) : text;
  const ends = graphemeEnds(prefix, max + 1);
  if (prefix === text && ends.length <= max) return text;
  if (ends.length > max) return `${text.slice(0, keep === 0 ? 0 : (ends[keep - 1] as number))}${cut}`;
  // Graphemes of more than 16 code units each (stacked accents): keep the complete ones.
  return `${text.slice(0, ends.length >= 2 ? (ends[ends.length - 2] as number) : 0)}${cut}`;
}

/** The end offsets of the first `limit` graphemes of `text`. */
function graphemeEnds(text: string, limit: number): number[] {
  const ends: number[] = [];
  for (const part of segmenter().segment(text)) {
    ends.push(part.index + part.segment.length);
    if (ends.length >= limit) break;
  }
  return ends;
}
