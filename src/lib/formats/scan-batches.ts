/** The loop every streaming reader shares: decode chunks, feed a scanner, yield what it found. */
import { StringDecoder } from 'node:string_decoder';
import type { ByteChunks, RecordBatch } from './types.js';

/** A scanner that is fed text and hands back complete records as they appear. */
export interface TextScanner<Found extends { records: unknown[] }> {
  push(text: string): void;
  /** No more text: a record still open is an error. */
  end(): void;
  take(): Found | null;
}

/**
 * Batches of records from `chunks` (UTF-8 split anywhere, even inside a character), one
 * batch a chunk at most. `toBatch` names each found batch; `firstIndex` counts records.
 */
export async function* scanBatches<Found extends { records: unknown[] }>(
  chunks: ByteChunks,
  scanner: TextScanner<Found>,
  toBatch: (found: Found, firstIndex: number) => RecordBatch,
): AsyncIterable<RecordBatch> {
  const decoder = new StringDecoder('utf8');
  let index = 0;
  const next = (): RecordBatch | null => {
    const found = scanner.take();
    if (!found) return null;
    const batch = toBatch(found, index);
    index += found.records.length;
    return batch;
  };
  for await (const chunk of chunks) {
    scanner.push(typeof chunk === 'string' ? chunk : decoder.write(chunk));
    const batch = next();
    if (batch) yield batch;
  }
  scanner.push(decoder.end());
  scanner.end();
  const batch = next();
  if (batch) yield batch;
}
