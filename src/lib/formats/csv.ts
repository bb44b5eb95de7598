/**
 * CSV (RFC 4180) with a header row: read by CsvScanner, written by csv-stringify. Columns `key`
 * and `value` are required; `metadata`, `expiration`, `expiration_ttl` and `base64` are
 * optional, in any order. Header names match whatever their case, and a space or "-" reads as
 * "_" (a spreadsheet's `Key,Value,Expiration TTL`). A column kvadm does not know is refused
 * unless the caller asks to ignore such columns: a misspelt `expiraton` would otherwise drop
 * every expiration silently. Quoted fields may hold delimiters, quotes and line breaks.
 */
import { stringify } from 'csv-stringify/sync';
import { ExitCode, KvadmError, UsageError } from '../errors.js';
import type { ExportEntry } from './export-entry.js';
import type { TextWriter } from './json.js';
import { CsvScanner } from './csv-scanner.js';
import { scanBatches } from './scan-batches.js';
import { InputSyntaxError } from './syntax.js';
import type { ByteChunks, CsvColumns, RecordBatch } from './types.js';

const CSV_EXPORT_HEADER = ['key', 'value', 'base64', 'expiration', 'metadata'] as const;
const KNOWN_COLUMNS = ['key', 'value', 'metadata', 'expiration', 'expiration_ttl', 'base64'] as const;
/** Delimiters a spreadsheet commonly writes, with the --delimiter value that selects each. */
const COMMON_DELIMITERS: ReadonlyArray<[string, string]> = [
  [',', '","'],
  [';', '";"'],
  ['\t', 'tab'],
  ['|', '"|"'],
];

export interface CsvHeaderOptions {
  /** The delimiter the header was split with (default ","), for the hint when it looks wrong. */
  delimiter?: string;
  /** Leave columns kvadm does not know out instead of refusing the file. */
  ignoreColumns?: boolean;
}

/** A header naming a column kvadm does not know: exit 2, naming it and the known ones. */
export class UnknownColumnsError extends KvadmError {
  constructor(source: string, line: number, unknown: string[], hint: string) {
    const names = unknown.map((name) => JSON.stringify(name)).join(', ');
    super(
      'CSV_COLUMN_UNKNOWN',
      `${source} line ${line}: the header names ${unknown.length === 1 ? 'a column' : 'columns'} kvadm does not know: ${names}; known columns (any case): ${KNOWN_COLUMNS.join(', ')}`,
      { exitCode: ExitCode.usage, hint, details: { source, line, columns: unknown } },
    );
  }
}

/** The name a header cell matches by: trimmed, lower case, spaces and "-" as "_". */
function columnName(cell: string): string {
  return cell
    .trim()
    .toLowerCase()
    .replace(/[\s-]+/g, '_');
}

export function csvColumns(header: string[], source: string, line = 1, options: CsvHeaderOptions = {}): CsvColumns {
  const names = header.map((cell) => cell.trim());
  const matched = names.map(columnName);
  const delimiterHint = wrongDelimiterHint(names, options.delimiter ?? ',');
  const seen = new Set<string>();
  for (const [i, name] of matched.entries()) {
    if (seen.has(name)) {
      throw new InputSyntaxError(
        source,
        line,
        'the header',
        `the column ${JSON.stringify(names[i])} appears twice (names match whatever their case)`,
      );
    }
    seen.add(name);
  }
  for (const required of ['key', 'value']) {
    if (!seen.has(required)) {
      throw new InputSyntaxError(
        source,
        line,
        'the header',
        `the header has no ${JSON.stringify(required)} column (found: ${names.map((n) => JSON.stringify(n)).join(', ')}); a CSV file needs columns key,value and may have metadata,expiration,expiration_ttl,base64${names.some((n) => n.includes('\r')) ? '; lines must end with LF or CRLF (a CR alone is part of a field)' : ''}`,
        delimiterHint ?? 'fix the file and import again; nothing was written',
      );
    }
  }
  if (!options.ignoreColumns) {
    const unknown = names.filter((_, i) => !(KNOWN_COLUMNS as readonly string[]).includes(matched[i] as string));
    if (unknown.length > 0) {
      throw new UnknownColumnsError(
        source,
        line,
        unknown,
        delimiterHint ?? 'rename or remove the column, or import with --ignore-columns to leave such columns out; nothing was written',
      );
    }
  }
  return {
    header: names,
    key: matched.indexOf('key'),
    value: matched.indexOf('value'),
    metadata: matched.indexOf('metadata'),
    expiration: matched.indexOf('expiration'),
    expirationTtl: matched.indexOf('expiration_ttl'),
    base64: matched.indexOf('base64'),
  };
}

/**
 * When header names contain another common delimiter (`key;value` read with ","), the file
 * was most likely written with that one: say which --delimiter reads it.
 */
function wrongDelimiterHint(names: string[], delimiter: string): string | undefined {
  for (const [candidate, flag] of COMMON_DELIMITERS) {
    if (candidate !== delimiter && names.some((name) => name.includes(candidate))) {
      const shown = delimiter === '\t' ? 'a tab' : JSON.stringify(delimiter);
      return `the header was split at ${shown} but its names contain ${candidate === '\t' ? 'tabs' : JSON.stringify(candidate)}: import with --delimiter ${flag}${candidate === '\t' ? ' (or name the file .tsv)' : ''}`;
    }
  }
  return undefined;
}

/** Column names a CSV header has that kvadm does not know (they are ignored). */
export function unknownColumns(columns: CsvColumns): string[] {
  return columns.header.filter((name) => !(KNOWN_COLUMNS as readonly string[]).includes(columnName(name)));
}

/** Batches of CSV rows (one a chunk at most), named by the header. */
export async function* readCsv(
  chunks: ByteChunks,
  delimiter: string,
  source: string,
  options: { ignoreColumns?: boolean } = {},
): AsyncIterable<RecordBatch> {
  let columns: CsvColumns | undefined;
  const scanner = new CsvScanner(delimiter, source, (header, line) => {
    columns = csvColumns(header, source, line, { delimiter, ignoreColumns: Boolean(options.ignoreColumns) });
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
