/**
 * The wire encoding of writes: how an expiration travels, a value with metadata as
 * multipart form data, and bulk writes (docs/PROTOCOL.md `PUT /bulk`): entries grouped
 * into requests of at most N items and 100 MB, each a JSON array of
 * `{key, value, expiration?, expiration_ttl?, metadata?, base64?}`, as bytes ready to send.
 *
 * This is the client's hot path in a remote import: items are plain objects serialised
 * by one JSON.stringify per request (V8's fast path), not a string built per item and
 * joined, and the body is encoded to bytes once (a string body would be measured and
 * encoded separately).
 */
import { isUtf8 } from 'node:buffer';
import { randomBytes } from 'node:crypto';
import type { StoredEntry } from './backend.js';
import { LIMITS } from '../limits.js';

export interface BulkRequest {
  entries: StoredEntry[];
  body: Buffer;
}

interface WireItem {
  key: string;
  value: string;
  base64?: true;
  expiration?: number;
  expiration_ttl?: number;
  metadata?: unknown;
}

/** Bytes an item costs besides its key, value and metadata (field names, quotes, an expiration). */
const ITEM_OVERHEAD_BYTES = 64;

/**
 * The requests for `entries`, in order. Groups are cut by an estimate of their size and
 * checked once encoded: one that escaping made too large is halved; a lone item that
 * still is (a 25 MiB text of control characters, 6 bytes each once escaped) goes as base64.
 */
export function bulkRequests(entries: StoredEntry[], maxItems: number, nowSeconds: number): BulkRequest[] {
  const requests: BulkRequest[] = [];
  const budget = LIMITS.bulkMaxBodyBytes;
  let start = 0;
  let estimate = 2;
  for (let i = 0; i < entries.length; i++) {
    const entry = entries[i] as StoredEntry;
    const size = ITEM_OVERHEAD_BYTES + entry.key.length + entry.value.byteLength + (entry.metadata?.length ?? 0);
    if (i > start && (i - start >= maxItems || estimate + size > budget)) {
      encodeFitting(entries.slice(start, i), nowSeconds, requests);
      start = i;
      estimate = 2;
    }
    estimate += size;
  }
  if (entries.length > start) encodeFitting(start === 0 ? entries : entries.slice(start), nowSeconds, requests);
  return requests;
}

function encodeFitting(group: StoredEntry[], nowSeconds: number, requests: BulkRequest[]): void {
  const body = bulkBody(group, nowSeconds, false);
  if (body.byteLength <= LIMITS.bulkMaxBodyBytes) {
    requests.push({ entries: group, body });
  } else if (group.length > 1) {
    const half = Math.ceil(group.length / 2);
    encodeFitting(group.slice(0, half), nowSeconds, requests);
    encodeFitting(group.slice(half), nowSeconds, requests);
  } else {
    requests.push({ entries: group, body: bulkBody(group, nowSeconds, true) });
  }
}

/**
 * The JSON array of `entries`, in one JSON.stringify. Metadata (already serialised JSON,
 * from JSON.stringify) is parsed back into the item: that round trip gives the same text,
 * and costs less than cutting the array into runs around each item with metadata.
 */
function bulkBody(entries: StoredEntry[], nowSeconds: number, forceBase64: boolean): Buffer {
  const items: WireItem[] = new Array(entries.length);
  for (let i = 0; i < entries.length; i++) items[i] = wireItem(entries[i] as StoredEntry, nowSeconds, forceBase64);
  return Buffer.from(JSON.stringify(items));
}

/** Text values travel as they are (a leading BOM kept); bytes that are not UTF-8 as base64. */
function wireItem(entry: StoredEntry, nowSeconds: number, forceBase64: boolean): WireItem {
  const bytes = Buffer.isBuffer(entry.value)
    ? entry.value
    : Buffer.from(entry.value.buffer, entry.value.byteOffset, entry.value.byteLength);
  const item: WireItem =
    !forceBase64 && isUtf8(bytes)
      ? { key: entry.key, value: bytes.toString('utf8') }
      : { key: entry.key, value: bytes.toString('base64'), base64: true };
  const expiry = wireExpiration(entry, nowSeconds);
  if (expiry.expiration_ttl !== undefined) item.expiration_ttl = expiry.expiration_ttl;
  else if (expiry.expiration !== undefined) item.expiration = expiry.expiration;
  if (entry.metadata !== null) item.metadata = JSON.parse(entry.metadata);
  return item;
}

/**
 * How an entry's expiry travels. The absolute time the writer computed (what `kv put`
 * reports) when it is safely ahead of the server's 60 s minimum; a write that came from a
 * TTL and is now close to that minimum (a second boundary may pass in flight) goes as
 * the seconds left instead, at least 60, so it is never refused for arriving late.
 */
export function wireExpiration(entry: StoredEntry, nowSeconds: number): { expiration?: number; expiration_ttl?: number } {
  if (entry.expiration === null) return {};
  const left = entry.expiration - nowSeconds;
  if (entry.expirationTtl === undefined || left > LIMITS.minExpirationOffsetSeconds + 1) return { expiration: entry.expiration };
  return { expiration_ttl: Math.max(LIMITS.minExpirationTtlSeconds, left) };
}

/**
 * A value with its metadata as multipart/form-data: the `value` part as a file, the
 * `metadata` part as JSON text.
 *
 * Built by hand rather than through the platform's FormData: encoding a FormData (through
 * `new Response(form)`) loads Node's fetch machinery, measured at +50 ms on the first
 * call (0.5 ms by hand), the cost of every `kv put --metadata` on this backend, and for a
 * 25 MiB value took 75–120 ms and 340 MB peak against 23–41 ms and 150 MB by hand.
 */
export function multipartBody(value: Uint8Array, metadata: string): { body: Buffer; contentType: string } {
  const boundary = `kvadm-${randomBytes(16).toString('hex')}`;
  const body = Buffer.concat([
    Buffer.from(
      `--${boundary}\r\nContent-Disposition: form-data; name="value"; filename="value"\r\nContent-Type: application/octet-stream\r\n\r\n`,
    ),
    value,
    Buffer.from(`\r\n--${boundary}\r\nContent-Disposition: form-data; name="metadata"\r\n\r\n${metadata}\r\n--${boundary}--\r\n`),
  ]);
  return { body, contentType: `multipart/form-data; boundary=${boundary}` };
}
