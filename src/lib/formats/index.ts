/** Choosing a reader or writer by format. */
import { csvExportWriter, readCsv } from './csv.js';
import { type ExportEntry, toExportEntry } from './export-entry.js';
import { type TextWriter, entryJson, jsonArrayWriter, jsonLinesWriter, readJson } from './json.js';
import type { ByteChunks, Format, RecordBatch } from './types.js';

export { FORMATS, delimiterOf, formatOf, formatOfFile, parseDelimiter, type Format, type RecordBatch } from './types.js';
export { InputSyntaxError } from './syntax.js';
export { type ExportEntry, toExportEntry };
export type { TextWriter };

export interface ReadOptions {
  /** For messages: the file name, or "stdin". */
  source: string;
  /** CSV only. */
  delimiter?: string;
  /** CSV only: leave unknown columns out instead of refusing the header. */
  ignoreColumns?: boolean;
}

export function readRecords(format: Format, chunks: ByteChunks, options: ReadOptions): AsyncIterable<RecordBatch> {
  switch (format) {
    case 'json':
      return readJson(chunks, false, options.source);
    case 'jsonl':
      return readJson(chunks, true, options.source);
    case 'csv':
      return readCsv(chunks, options.delimiter ?? ',', options.source, { ignoreColumns: Boolean(options.ignoreColumns) });
  }
}

/** The writer export uses. */
export function exportWriter(format: Format, delimiter = ','): TextWriter<ExportEntry> {
  switch (format) {
    case 'json':
      return jsonArrayWriter(entryJson);
    case 'jsonl':
      return jsonLinesWriter(entryJson);
    case 'csv':
      return csvExportWriter(delimiter);
  }
}
