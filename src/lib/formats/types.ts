/** What the bulk formats share: names, detection, the shape of what readers yield. */
import path from 'node:path';
import { UsageError } from '../errors.js';

export const FORMATS = ['json', 'jsonl', 'csv'] as const;
export type Format = (typeof FORMATS)[number];

const EXTENSIONS: Record<string, Format> = {
  '.json': 'json',
  '.jsonl': 'jsonl',
  '.ndjson': 'jsonl',
  '.csv': 'csv',
  // Tab-separated values: CSV with a tab as the delimiter (see delimiterOf).
  '.tsv': 'csv',
};

/** The format from --format, else from the file's extension; null when neither says. */
export function formatOf(file: string | undefined, flag: string | undefined): Format | null {
  if (flag !== undefined) {
    if (!(FORMATS as readonly string[]).includes(flag)) {
      throw new UsageError(`unknown format ${JSON.stringify(flag)}`, `use one of: ${FORMATS.join(', ')}`);
    }
    return flag as Format;
  }
  if (file === undefined || file === '-') return null;
  return EXTENSIONS[path.extname(file).toLowerCase()] ?? null;
}

/** The format of `file` (from `flag` when given, else its extension); a usage error naming the file when neither says. */
export function formatOfFile(file: string, flag: string | undefined, hint = 'add --format json, --format jsonl or --format csv'): Format {
  const format = formatOf(file, flag);
  if (!format) throw new UsageError(`cannot tell the format of ${file} from its extension`, hint);
  return format;
}

/** --delimiter: one character; "\t" and "tab" mean a tab. */
export function parseDelimiter(text: string | undefined): string {
  if (text === undefined) return ',';
  const delimiter = text === '\\t' || text.toLowerCase() === 'tab' ? '\t' : text;
  if ([...delimiter].length !== 1 || delimiter === '"' || delimiter === '\n' || delimiter === '\r') {
    throw new UsageError(
      `invalid --delimiter ${JSON.stringify(text)}: it must be one character other than a quote or a line break`,
      'for example --delimiter ";" or --delimiter tab',
    );
  }
  return delimiter;
}

/** The CSV delimiter: --delimiter when given, else a tab for a `.tsv` file, else ",". */
export function delimiterOf(file: string | undefined, flag: string | undefined): string {
  if (flag !== undefined) return parseDelimiter(flag);
  return file !== undefined && path.extname(file).toLowerCase() === '.tsv' ? '\t' : ',';
}

/**
 * Records as a reader yields them, in batches (a batch is processed synchronously:
 * no promise per entry).
 * - `entry`: an entry object `{key, value, ...}` of a JSON array or a JSON Lines file
 *   (any JSON value, in fact: shape checks come later);
 * - `pair`: `[key, value]` from a plain JSON object;
 * - `row`: the cells of a CSV record, named by `columns`.
 */
export interface RecordBatch {
  kind: 'entry' | 'pair' | 'row';
  /** 0-based position of the first record in the input. */
  firstIndex: number;
  records: unknown[];
  /** 1-based line where each record starts. */
  lines: number[];
  /** CSV only: the header. */
  columns?: CsvColumns;
}

/** The positions of the known columns in a CSV header (-1 when absent). */
export interface CsvColumns {
  header: string[];
  key: number;
  value: number;
  metadata: number;
  expiration: number;
  expirationTtl: number;
  base64: number;
}

/** Input as chunks of bytes (a file or stdin stream, or a spool being read back). */
export type ByteChunks = AsyncIterable<Buffer | string>;
