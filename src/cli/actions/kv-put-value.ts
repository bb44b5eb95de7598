/** Where `kv put` takes its value from: the argument, a file, or stdin (only when asked with "-"). */
import fs from 'node:fs';
import { UsageError, ValidationError, isKvadmError } from '../../lib/errors.js';
import { displayKey, validateValueSize } from '../../lib/validation.js';
import { readStream } from '../../lib/values.js';

export type ValueSource = { kind: 'argument'; text: string } | { kind: 'file'; path: string } | { kind: 'stdin' };

/**
 * Stdin is read only when asked for, with VALUE "-" or `--file -`: a missing VALUE is a
 * mistake (an unset shell variable), and reading stdin then would store an empty value
 * from `< /dev/null`, or swallow the input of a `while read` loop around the command.
 */
export function chooseValueSource(argument: string | undefined, file: string | undefined, key: string): ValueSource {
  if (file !== undefined && argument !== undefined) {
    throw new UsageError(
      `give the value of key ${displayKey(key)} either as VALUE or with --file, not both`,
      'drop VALUE to read the file, or drop --file',
    );
  }
  if (file === '-' || argument === '-') return { kind: 'stdin' };
  if (file !== undefined) return { kind: 'file', path: file };
  if (argument !== undefined) return { kind: 'argument', text: argument };
  throw new UsageError(
    `missing the value of key ${displayKey(key)}: give VALUE, --file PATH, or "-" to read stdin`,
    `for example: kvadm kv put ${shellWord(key)} - < value.txt (an empty value is: kvadm kv put ${shellWord(key)} '')`,
  );
}

/** The value's bytes. Files and stdin are read up to 25 MiB + 1 byte at most, then refused. */
export async function readValueSource(source: ValueSource, key: string): Promise<Uint8Array> {
  switch (source.kind) {
    case 'argument':
      return Buffer.from(source.text, 'utf8');
    case 'stdin':
      return readStream(process.stdin as AsyncIterable<Buffer>, key, 'stdin');
    case 'file':
      return readValueFile(source.path, key);
  }
}

/**
 * A regular file's size is known up front, so an oversize file is refused with its size
 * before reading. Anything else (a device such as /dev/zero, a FIFO, a file still growing)
 * is read as a stream that stops at the limit.
 */
async function readValueFile(path: string, key: string): Promise<Uint8Array> {
  const cannotRead = (problem: string) =>
    new UsageError(`cannot read --file ${path}: ${problem}`, 'check the path (use --file - or VALUE "-" to read stdin)');
  let stat: fs.Stats;
  try {
    stat = fs.statSync(path);
  } catch (error) {
    throw cannotRead(errnoText(error));
  }
  if (stat.isDirectory()) throw cannotRead('it is a folder');
  if (stat.isFile()) validateValueSize(stat.size, key);
  try {
    return await readStream(fs.createReadStream(path, { highWaterMark: 1 << 16 }), key, `--file ${path}`);
  } catch (error) {
    if (isKvadmError(error)) throw error;
    // A file we may not read: the path is wrong, not kvadm.
    throw cannotRead(errnoText(error));
  }
}

function errnoText(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return 'no such file';
  if (code === 'EACCES' || code === 'EPERM') return `not readable (${code})`;
  return code ?? (error as Error).message;
}

/** A key as a shell word for a hint: bare when safe, else single-quoted. */
function shellWord(text: string): string {
  return /^[A-Za-z0-9_.:/@%+=-]+$/.test(text) ? text : `'${text.replace(/'/g, `'\\''`)}'`;
}

/** For --json-value: the text must parse as JSON. */
export function checkJsonValue(bytes: Uint8Array, key: string): void {
  try {
    JSON.parse(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8'));
  } catch (cause) {
    throw new ValidationError(
      'VALUE_INVALID',
      `key ${JSON.stringify(key)}: the value is not valid JSON (--json-value): ${(cause as Error).message}`,
      {
        hint: 'fix the JSON, or drop --json-value to store the text as it is',
        details: { key },
        cause,
      },
    );
  }
}
