/**
 * CSV (RFC 4180) with a header row, through csv-parse and csv-stringify. Columns `key`
 * and `value` are required; `metadata`, `expiration`, `expiration_ttl` and `base64` are
 * optional, in any order. Quoted fields may hold delimiters, quotes and line breaks.
 */
import { parse, type CsvError, type Parser } from 'csv-parse';
import { stringify } from 'csv-stringify/sync';
import { UsageError } from '../errors.js';
import type { ExportEntry } from './export-entry.js';
import type { TextWriter } from './json.js';
import { InputSyntaxError } from './syntax.js';
import type { ByteChunks, CsvColumns, RecordBatch } from './types.js';

export const CSV_EXPORT_HEADER = ['key', 'value', 'base64', 'expiration', 'metadata'] as const;
const KNOWN_COLUMNS = new Set(['key', 'value', 'metadata', 'expiration', 'expiration_ttl', 'base64']);

export function csvColumns(header: string[], source: string): CsvColumns {
  const names = header.map((name) => name.trim());
  const seen = new Set<string>();
  for (const name of names) {
    if (seen.has(name)) throw new InputSyntaxError(source, 1, 'the header', `the column ${JSON.stringify(name)} appears twice`);
    seen.add(name);
  }
  for (const required of ['key', 'value']) {
    if (!seen.has(required)) {
      throw new InputSyntaxError(
        source,
        1,
        'the header',
        `the header has no ${JSON.stringify(required)} column (found: ${names.map((n) => JSON.stringify(n)).join(', ')}); a CSV file needs columns key,value and may have metadata,expiration,expiration_ttl,base64`,
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

function countLineBreaks(text: string): number {
  let count = 0;
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) count++;
  return count;
}

/** Batches of CSV rows; the first record is the header. */
export async function* readCsv(chunks: ByteChunks, delimiter: string, source: string): AsyncIterable<RecordBatch> {
  // csv-parse tells the line where a record ends; it starts that many lines earlier as it has line breaks.
  let endLines: number[] = [];
  const parser: Parser = parse({
    delimiter,
    bom: true,
    skip_empty_lines: true,
    on_record: (record: string[], context) => {
      endLines.push(context.lines);
      return record;
    },
  });
  let failure: Error | undefined;
  parser.on('error', (error) => {
    failure = error;
  });
  let columns: CsvColumns | undefined;
  let index = 0;
  let lastEnd = 1;
  const check = (): void => {
    const error = failure ?? (parser.errored as Error | null);
    if (error) throw csvSyntaxError(error as CsvError, source, lastEnd);
  };
  const drain = (): RecordBatch | null => {
    const records: string[][] = [];
    const lines: number[] = [];
    let i = 0;
    for (let record = parser.read() as string[] | null; record !== null; record = parser.read() as string[] | null) {
      const end = endLines[i++] as number;
      lastEnd = end;
      if (!columns) {
        columns = csvColumns(record, source);
        continue;
      }
      let breaks = 0;
      for (const cell of record) if (cell.indexOf('\n') !== -1) breaks += countLineBreaks(cell);
      records.push(record);
      lines.push(end - breaks);
    }
    endLines = endLines.slice(i);
    if (records.length === 0 || !columns) return null;
    const batch: RecordBatch = { kind: 'row', firstIndex: index, records, lines, columns };
    index += records.length;
    return batch;
  };
  for await (const chunk of chunks) {
    parser.write(chunk);
    check();
    const batch = drain();
    if (batch) yield batch;
  }
  const ended = new Promise<void>((resolve, reject) => {
    parser.once('end', resolve);
    parser.once('error', reject);
  });
  const batches: RecordBatch[] = [];
  parser.on('readable', () => {
    const batch = drain();
    if (batch) batches.push(batch);
  });
  parser.end();
  try {
    await ended;
  } catch {
    check();
  }
  check();
  const last = drain();
  if (last) batches.push(last);
  yield* batches;
  if (!columns) {
    throw new InputSyntaxError(source, 1, 'column 1', 'the input is empty: a CSV file needs a header row with at least key,value');
  }
}

function csvSyntaxError(error: CsvError, source: string, lastEnd: number): InputSyntaxError {
  const lines = typeof error.lines === 'number' ? error.lines : lastEnd;
  const field = typeof error.column === 'number' ? `field ${error.column + 1}` : 'column 1';
  switch (error.code) {
    case 'CSV_QUOTE_NOT_CLOSED':
      return new InputSyntaxError(
        source,
        lastEnd + 1,
        field,
        `a quoted field is never closed: the quote opened in the record after line ${lastEnd} runs to the end of the input (line ${lines}); is a closing " missing?`,
      );
    case 'CSV_INVALID_CLOSING_QUOTE':
      return new InputSyntaxError(
        source,
        lines,
        field,
        'a closing quote is followed by other characters: inside a quoted field write a quote as "" (two quotes)',
      );
    case 'CSV_RECORD_INCONSISTENT_FIELDS_LENGTH':
    case 'CSV_RECORD_INCONSISTENT_COLUMNS':
      return new InputSyntaxError(
        source,
        lines,
        field,
        `${error.message.replace(/ on line \d+$/, '')}: every record needs as many fields as the header`,
      );
    default:
      return new InputSyntaxError(source, lines, field, error.message);
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

export function assertCsvColumns(columns: CsvColumns | undefined): CsvColumns {
  if (!columns) throw new UsageError('a CSV batch without its header');
  return columns;
}
