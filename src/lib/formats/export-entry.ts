/** A stored entry in the form every export format writes. */
import { isUtf8 } from 'node:buffer';
import type { StoredEntry } from '../backends/backend.js';

export interface ExportEntry {
  key: string;
  /** UTF-8 text, or base64 of the bytes when they are not valid UTF-8. */
  value: string;
  base64: boolean;
  /** Absolute, unix seconds; null when the key does not expire. */
  expiration: number | null;
  /** Compact JSON text as stored; null when none. */
  metadata: string | null;
}

export function toExportEntry(entry: StoredEntry): ExportEntry {
  const bytes = Buffer.isBuffer(entry.value)
    ? entry.value
    : Buffer.from(entry.value.buffer, entry.value.byteOffset, entry.value.byteLength);
  const text = isUtf8(bytes);
  return {
    key: entry.key,
    value: text ? bytes.toString('utf8') : bytes.toString('base64'),
    base64: !text,
    expiration: entry.expiration,
    metadata: entry.metadata,
  };
}
