/**
 * JSON and JSON Lines: streaming readers (via JsonScanner) and the writers export and
 * --rejects use. Writers are deterministic (field order, compact metadata, absolute
 * expirations), so export → import → export gives byte-identical files.
 */
import { JsonScanner } from './json-scanner.js';
import { scanBatches } from './scan-batches.js';
import type { ByteChunks, RecordBatch } from './types.js';
import type { ExportEntry } from './export-entry.js';

/** Batches of records from a JSON document (array of entries or plain object) or JSON Lines. */
export async function* readJson(chunks: ByteChunks, lines: boolean, source: string): AsyncIterable<RecordBatch> {
  const scanner = new JsonScanner(lines ? 'lines' : 'document', source);
  yield* scanBatches(chunks, scanner, (found, firstIndex) => ({
    kind: found.shape === 'pairs' ? 'pair' : 'entry',
    firstIndex,
    records: found.records,
    lines: found.lines,
  }));
}

/** One exported entry as compact JSON, fields always in this order. */
export function entryJson(entry: ExportEntry): string {
  let text = `{"key":${JSON.stringify(entry.key)},"value":${JSON.stringify(entry.value)}`;
  if (entry.base64) text += ',"base64":true';
  if (entry.expiration !== null) text += `,"expiration":${entry.expiration}`;
  if (entry.metadata !== null) text += `,"metadata":${entry.metadata}`;
  return `${text}}`;
}

/** Text writers: begin, then any number of batches, then end. */
export interface TextWriter<T> {
  begin(): string;
  write(items: T[]): string;
  end(): string;
}

/** A JSON array with one entry a line (diffable). */
export function jsonArrayWriter<T>(render: (item: T) => string): TextWriter<T> {
  let first = true;
  return {
    begin: () => '[',
    write(items) {
      let text = '';
      for (const item of items) {
        text += first ? '\n' : ',\n';
        first = false;
        text += render(item);
      }
      return text;
    },
    end: () => (first ? ']\n' : '\n]\n'),
  };
}

/** One value a line. */
export function jsonLinesWriter<T>(render: (item: T) => string): TextWriter<T> {
  return {
    begin: () => '',
    write(items) {
      let text = '';
      for (const item of items) text += `${render(item)}\n`;
      return text;
    },
    end: () => '',
  };
}

/** A plain JSON object, one property a line (rejected entries of a `{key: value}` file). */
export function jsonObjectWriter(): TextWriter<[string, unknown]> {
  let first = true;
  return {
    begin: () => '{',
    write(items) {
      let text = '';
      for (const [key, value] of items) {
        text += first ? '\n' : ',\n';
        first = false;
        text += `${JSON.stringify(key)}: ${JSON.stringify(value)}`;
      }
      return text;
    },
    end: () => (first ? '}\n' : '\n}\n'),
  };
}
