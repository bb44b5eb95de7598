/**
 * Reading a list of keys for `kv delete --from-file` (the deleting is delete.ts).
 *
 * A key list is read in the format it is said to be in (--format, -0, or a file's
 * extension), never guessed from its first character: a key may start with "[" or "{".
 * The formats are exactly what kvadm prints: `kv list` (lines), `kv list -0`,
 * `kv list --json`, and export's json, jsonl and csv.
 */
import path from 'node:path';
import { ExitCode, KvadmError, UsageError, ValidationError } from '../errors.js';
import { CsvScanner } from '../formats/csv-scanner.js';
import { JsonScanner } from '../formats/json-scanner.js';
import { InputSyntaxError } from '../formats/syntax.js';
import { type ByteChunks, parseDelimiter } from '../formats/types.js';
import { type KeyLineError, keyRecords, parseKeyLine } from '../key-lines.js';
import { validateKey } from '../validation.js';
import { type BulkSource, readChunks, sourceName } from './io.js';
import { counted, truncateText } from '../words.js';

/** The formats `--format` names: what kv list prints (lines), kv list --json (json), export (json, jsonl, csv). */
export const KEY_LIST_FORMATS = ['lines', 'json', 'jsonl', 'csv'] as const;
/** `null` is `-0`: names as `kv list -0` prints them, each followed by a NUL. */
export type KeyListFormat = (typeof KEY_LIST_FORMATS)[number] | 'null';

const EXTENSION_FORMATS: Record<string, KeyListFormat> = { '.json': 'json', '.jsonl': 'jsonl', '.ndjson': 'jsonl', '.csv': 'csv' };

const FORMATS_HINT =
  'say how the list is written: --format lines (kv list), --format json (kv list --json, export --format json), --format jsonl (export), --format csv (export --format csv), or -0 (kv list -0)';

export interface KeyListOptions {
  /** How the list is written. Absent: from a file's extension, else lines (refusing input that is plainly another format). */
  format?: KeyListFormat | undefined;
  /** CSV field delimiter (default ","). */
  delimiter?: string | undefined;
  /** At most this many problems are listed in the error. */
  reportLimit?: number;
}

export interface KeyListProblem {
  /** 0-based position in the list. */
  index: number;
  line: number;
  code: string;
  message: string;
}

/** A key list with bad entries: nothing was deleted. Exit 2. */
export class InvalidKeyListError extends KvadmError {
  constructor(source: string, problems: KeyListProblem[], count: number) {
    const lines = [`${counted(count, 'key')} in ${source} cannot be used; nothing was deleted:`];
    for (const p of problems) lines.push(`  key ${p.index} (line ${p.line}): ${p.code}: ${p.message}`);
    if (count > problems.length) lines.push(`  … and ${count - problems.length} more`);
    super('INVALID_KEYS', lines.join('\n'), {
      exitCode: ExitCode.usage,
      hint: `fix those entries; ${FORMATS_HINT}`,
      details: { source, problems, invalidCount: count },
    });
  }
}

/** A key list that cannot be read as the format it was given in: exit 2, nothing deleted. */
export class KeyListSyntaxError extends KvadmError {
  constructor(syntax: InputSyntaxError, format: KeyListFormat) {
    super('SYNTAX_ERROR', syntax.message, {
      exitCode: ExitCode.usage,
      hint: `nothing was deleted; it was read as --format ${format}: ${FORMATS_HINT}`,
      details: { ...syntax.details, format },
      cause: syntax,
    });
  }
}

/** KeyListOptions from kv delete's flags (--format, -0, --delimiter). */
export function keyListOptions(flags: { format?: string | undefined; null?: boolean; delimiter?: string | undefined }): KeyListOptions {
  const format = flags.null ? 'null' : (flags.format as KeyListFormat | undefined);
  return { format, ...(flags.delimiter === undefined ? {} : { delimiter: parseDelimiter(flags.delimiter) }) };
}

/** The format of a key list: the one asked for, else a file's extension, else lines (guessed: checked against the others). */
export function keyListFormat(source: BulkSource, asked: KeyListFormat | undefined): { format: KeyListFormat; guessed: boolean } {
  if (asked !== undefined) return { format: asked, guessed: false };
  const byExtension = source.kind === 'file' ? EXTENSION_FORMATS[path.extname(source.path).toLowerCase()] : undefined;
  return byExtension ? { format: byExtension, guessed: false } : { format: 'lines', guessed: true };
}

/** Collects the keys of a list, validated, and its problems (reported all at once). */
class KeyCollector {
  readonly keys: string[] = [];
  private readonly problems: KeyListProblem[] = [];
  private invalid = 0;
  private index = 0;

  constructor(
    private readonly source: string,
    private readonly reportLimit: number,
  ) {}

  /** A key name, or an object with "key" or "name" (an export entry, a kv list --json key). */
  add(candidate: unknown, line: number): void {
    let key = candidate;
    if (key !== null && typeof key === 'object' && !Array.isArray(key)) {
      const record = key as { key?: unknown; name?: unknown };
      key = record.key ?? record.name;
    }
    const index = this.index++;
    try {
      if (typeof key !== 'string') {
        throw new ValidationError(
          'FIELD_INVALID',
          `expected a key name (a string), got ${truncateText(JSON.stringify(candidate) ?? String(candidate), 60)}`,
        );
      }
      this.keys.push(validateKey(key));
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
      this.problem(index, line, error.code, error.message);
    }
  }

  /** A record that names no key (bad quoting, bytes that are not UTF-8). */
  refuse(line: number, error: KeyLineError): void {
    this.problem(this.index++, line, error.code, error.message);
  }

  finish(): string[] {
    if (this.invalid > 0) throw new InvalidKeyListError(this.source, this.problems, this.invalid);
    return this.keys;
  }

  private problem(index: number, line: number, code: string, message: string): void {
    this.invalid++;
    if (this.problems.length < this.reportLimit) this.problems.push({ index, line, code, message });
  }
}

/**
 * The keys of a list file (or stdin), validated: if any entry is not a valid key, nothing
 * is returned (InvalidKeyListError lists them). See KEY_LIST_FORMATS.
 */
export async function readKeyList(source: BulkSource, options: KeyListOptions = {}): Promise<string[]> {
  const name = sourceName(source);
  const { format, guessed } = keyListFormat(source, options.format);
  if (options.delimiter !== undefined && format !== 'csv') {
    throw new UsageError(
      `--delimiter applies to CSV key lists, and ${name} is read as ${format}`,
      'add --format csv, or leave out --delimiter',
    );
  }
  const collector = new KeyCollector(name, options.reportLimit ?? 20);
  const chunks = readChunks(source);
  try {
    switch (format) {
      case 'lines':
      case 'null':
        await readKeyRecords(chunks, format, collector, guessed ? name : null);
        break;
      case 'json':
      case 'jsonl':
        await readJsonKeys(chunks, format, name, collector);
        break;
      case 'csv':
        await readCsvKeys(chunks, options.delimiter ?? ',', name, collector);
        break;
    }
  } catch (error) {
    if (error instanceof InputSyntaxError) throw new KeyListSyntaxError(error, format);
    throw error;
  }
  return collector.finish();
}

/** Lines or NUL-separated names. `guessedFrom`: the format was not given, so refuse input that is plainly another format. */
async function readKeyRecords(
  chunks: ByteChunks,
  separator: 'lines' | 'null',
  collector: KeyCollector,
  guessedFrom: string | null,
): Promise<void> {
  const raw: string[] = [];
  for await (const records of keyRecords(chunks, separator)) {
    for (const record of records) {
      // Only a list whose first line opens a JSON array or object is checked as a whole: keep
      // every line only then (a plain list of a million keys is not held twice).
      if (guessedFrom !== null && (raw.length === 0 || /^\s*[[{]/.test(raw[0] as string))) raw.push(record.text);
      if (record.error) {
        collector.refuse(record.line, record.error);
        continue;
      }
      if (separator === 'null') {
        collector.add(record.text, record.line);
        continue;
      }
      let key: string;
      try {
        key = parseKeyLine(record.text);
      } catch (error) {
        collector.refuse(record.line, error as KeyLineError);
        continue;
      }
      collector.add(key, record.line);
    }
  }
  if (guessedFrom !== null) refuseOtherFormats(raw, guessedFrom);
}

/**
 * Key names one a line can look like anything, so only input that is as a whole another
 * format kvadm prints is refused (a JSON document, lines that are all JSON objects, or
 * export's CSV header); `--format lines` reads such input as key names all the same.
 */
function refuseOtherFormats(lines: string[], source: string): void {
  const refuse = (what: string, format: string): never => {
    throw new UsageError(
      `${source} looks like ${what}, not one key name a line; nothing was deleted`,
      `add --format ${format} (or --format lines if these lines really are key names)`,
      { source, format },
    );
  };
  const first = lines[0]?.trimStart() ?? '';
  if (/^"?key"?([,;\t|])"?value"?(\1|$)/i.test(first)) refuse('CSV with a key,value header (export --format csv)', 'csv');
  if (first.startsWith('[') || first.startsWith('{')) {
    let document: unknown;
    try {
      document = JSON.parse(lines.join('\n'));
    } catch {
      document = undefined;
    }
    if (document !== null && typeof document === 'object') refuse('a JSON document (kv list --json, export --format json)', 'json');
    if (lines.every((line) => isJsonObject(line))) refuse('JSON Lines of entries (export)', 'jsonl');
  }
}

function isJsonObject(line: string): boolean {
  if (!line.trimStart().startsWith('{')) return false;
  try {
    const value: unknown = JSON.parse(line);
    return value !== null && typeof value === 'object' && !Array.isArray(value);
  } catch {
    return false;
  }
}

/** Text of UTF-8 chunks; bytes that are not UTF-8 are refused (they would name other keys). */
async function* utf8Text(chunks: ByteChunks, source: string): AsyncIterable<string> {
  const decoder = new TextDecoder('utf-8', { fatal: true });
  let lines = 0;
  const decode = (bytes: Buffer | undefined): string => {
    try {
      return bytes === undefined ? decoder.decode() : decoder.decode(bytes, { stream: true });
    } catch {
      throw new UsageError(
        `${source} is not valid UTF-8 text (after line ${lines})`,
        'key lists are UTF-8 text, as kvadm writes them; nothing was deleted',
      );
    }
  };
  for await (const chunk of chunks) {
    const text = typeof chunk === 'string' ? chunk : decode(chunk);
    for (let at = text.indexOf('\n'); at !== -1; at = text.indexOf('\n', at + 1)) lines++;
    yield text;
  }
  yield decode(undefined);
}

/**
 * A JSON array of key names or entries (export --format json), `kv list --json`'s
 * `{"keys": [...], "list_complete": ...}`, or JSON Lines (export).
 */
async function readJsonKeys(chunks: ByteChunks, format: 'json' | 'jsonl', source: string, collector: KeyCollector): Promise<void> {
  const scanner = new JsonScanner(format === 'jsonl' ? 'lines' : 'document', source);
  const listing: Array<{ property: string; value: unknown; line: number }> = [];
  const take = (): void => {
    const batch = scanner.take();
    if (!batch) return;
    for (let i = 0; i < batch.records.length; i++) {
      const line = batch.lines[i] as number;
      if (batch.shape === 'pairs') {
        const [property, value] = batch.records[i] as [string, unknown];
        listing.push({ property, value, line });
      } else collector.add(batch.records[i], line);
    }
  };
  for await (const text of utf8Text(chunks, source)) {
    scanner.push(text);
    take();
  }
  scanner.end();
  take();
  if (listing.length > 0) addListingKeys(listing, source, collector);
}

/** The keys of a `kv list --json` object; any other object is refused (it is not a key list). */
function addListingKeys(
  properties: Array<{ property: string; value: unknown; line: number }>,
  source: string,
  collector: KeyCollector,
): void {
  const keys = properties.find((p) => p.property === 'keys');
  const complete = properties.find((p) => p.property === 'list_complete');
  const other = properties.find((p) => !['keys', 'list_complete', 'cursor'].includes(p.property));
  if (!keys || !Array.isArray(keys.value) || typeof complete?.value !== 'boolean' || other) {
    throw new UsageError(
      `${source} is a JSON object but not the output of kv list --json (an object with "keys" and "list_complete"${other ? `; it has ${JSON.stringify(other.property)}` : ''}); nothing was deleted`,
      'give kv list --json output or a JSON array of key names or entries (export --format json); for JSON Lines (export) use --format jsonl',
      { source },
    );
  }
  for (const entry of keys.value) collector.add(entry, keys.line);
}

/** CSV with a header: the cells of its "key" column (export --format csv). */
async function readCsvKeys(chunks: ByteChunks, delimiter: string, source: string, collector: KeyCollector): Promise<void> {
  let keyColumn = -1;
  const scanner = new CsvScanner(delimiter, source, (header, line) => {
    keyColumn = header.findIndex((name) => name.trim().toLowerCase() === 'key');
    if (keyColumn === -1) {
      throw new InputSyntaxError(
        source,
        line,
        'the header',
        `the header has no "key" column (found: ${header.map((n) => JSON.stringify(n)).join(', ')}); a CSV key list needs a header naming the key column`,
      );
    }
  });
  const take = (): void => {
    const found = scanner.take();
    if (!found) return;
    for (let i = 0; i < found.records.length; i++) collector.add((found.records[i] as string[])[keyColumn], found.lines[i] as number);
  };
  for await (const text of utf8Text(chunks, source)) {
    scanner.push(text);
    take();
  }
  scanner.end();
  take();
}
