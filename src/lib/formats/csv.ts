/**
 * CSV (RFC 4180) with a header row: read by CsvScanner, written by csv-stringify. Columns `key`
 * and `value` are required; `metadata`, `expiration`, `expiration_ttl` and `base64` are
 * optional, in any order. Quoted fields may hold delimiters, quotes and line breaks.
 */
import { stringify } from 'csv-stringify/sync';
import { UsageError } from '../errors.js';
import type { ExportEntry } from './export-entry.js';
import type { TextWriter } from './json.js';
import { CsvScanner } from './csv-scanner.js';
import { scanBatches } from './scan-batches.js';
import { InputSyntaxError } from './syntax.js';
import type { ByteChunks, CsvColumns, RecordBatch } from './types.js';

const CSV_EXPORT_HEADER = ['key', 'value', 'base64', 'expiration', 'metadata'] as const;
const KNOWN_COLUMNS = new Set(['key', 'value', 'metadata', 'expiration', 'expiration_ttl', 'base64']);

export function csvColumns(header: string[], source: string, line = 1): CsvColumns {
  const names = header.map((name) => name.trim());
  const seen = new Set<string>();
  for (const name of names) {
    if (seen.has(name)) throw new InputSyntaxError(source, line, 'the header', `the column ${JSON.stringify(name)} appears twice`);
    seen.add(name);
  }
  for (const required of ['key', 'value']) {
    if (!seen.has(required)) {
      throw new InputSyntaxError(
        source,
        line,
        'the header',
        `the header has no ${JSON.stringify(required)} column (found: ${names.map((n) => JSON.stringify(n)).join(', ')}); a CSV file needs columns key,value and may have metadata,expiration,expiration_ttl,base64${names.some((n) => n.includes('\r')) ? '; lines must end with LF or CRLF (a CR alone is part of a field)' : ''}`,
      );
    }
  }
  return {
    header: names,
    key: names.indexOf('key'),
    value: names.indexOf('value'),
    metadata: names.indexOf('metadata'),
    expiration: names.indexOf('expiration'),
    expirationTtl: names.indexOf('expiration_ttl'),
    base64: names.indexOf('base64'),
  };
}

/** Column names a CSV header has that kvadm does not know (they are ignored). */
export function unknownColumns(columns: CsvColumns): string[] {
  return columns.header.filter((name) => !KNOWN_COLUMNS.has(name));
}

/** Batches of CSV rows (one a chunk at most), named by the header. */
export async function* readCsv(chunks: ByteChunks, delimiter: string, source: string): AsyncIterable<RecordBatch> {
  let columns: CsvColumns | undefined;
  const scanner = new CsvScanner(delimiter, source, (header, line) => {
    columns = csvColumns(header, source, line);
  });
  yield* scanBatches(chunks, scanner, ({ records, lines }, firstIndex) => ({
    kind: 'row',
    firstIndex,
    records,
    lines,
    columns: assertCsvColumns(columns),
  }));
  if (!columns) {
    throw new InputSyntaxError(source, 1, 'column 1', 'the input is empty: a CSV file needs a header row with at least key,value');
  }
}

/** Cells of one exported entry, in CSV_EXPORT_HEADER order. */
function exportRow(entry: ExportEntry): string[] {
  return [
    entry.key,
    entry.value,
    entry.base64 ? 'true' : '',
    entry.expiration === null ? '' : String(entry.expiration),
    entry.metadata ?? '',
  ];
}

/** Rows of strings with a header row first. */
export function csvWriter<T>(header: readonly string[], toRow: (item: T) => string[], delimiter: string): TextWriter<T> {
  const options = { delimiter, record_delimiter: 'unix' as const, eof: true };
  return {
    begin: () => stringify([header as string[]], options),
    write: (items) => (items.length === 0 ? '' : stringify(items.map(toRow), options)),
    end: () => '',
  };
}

export function csvExportWriter(delimiter: string): TextWriter<ExportEntry> {
  return csvWriter(CSV_EXPORT_HEADER, exportRow, delimiter);
}

/** The boolean of a `base64` cell: true/false/1/0/yes/no, empty for false. */
export function csvBoolean(cell: string | undefined): boolean | string {
  if (cell === undefined) return false;
  switch (cell.trim().toLowerCase()) {
    case '':
    case 'false':
    case '0':
    case 'no':
      return false;
    case 'true':
    case '1':
    case 'yes':
      return true;
    default:
      return cell;
  }
}

function assertCsvColumns(columns: CsvColumns | undefined): CsvColumns {
  if (!columns) throw new UsageError('a CSV batch without its header');
  return columns;
}
