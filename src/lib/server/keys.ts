/**
 * Keys in URLs. A key travels as one percent-encoded path segment; the server takes the
 * segment from the raw URL and decodes it exactly once, so `%2F` is a slash inside the
 * key, `%252F` stays the three characters `%2F`, and a bare `/` (a second segment) is
 * refused rather than guessed at.
 */
import { validateKey } from '../validation.js';
import { badRequest } from './envelope.js';
import { truncateText } from '../words.js';

/** The decoded, validated key in path segment `index` (0 is before the first "/") of a raw request URL. */
export function keyFromUrl(rawUrl: string, index: number): string {
  const segments = (rawUrl.split('?', 1)[0] as string).split('/');
  if (segments.length > index + 1) {
    throw badRequest('a key must be one URL path segment: percent-encode "/" in keys as %2F');
  }
  const segment = segments[index] ?? '';
  let key: string;
  try {
    key = decodeURIComponent(segment);
  } catch {
    throw badRequest(`the key segment ${JSON.stringify(truncateText(segment, 80))} is not valid percent-encoded UTF-8`);
  }
  return validateKey(key);
}
