/** Where `kv put` takes its value from: the argument, a file, or stdin. */
import fs from 'node:fs';
import { UsageError, ValidationError } from './errors.js';
import { validateValueSize } from './validation.js';
import { readStream } from './values.js';

export type ValueSource = { kind: 'argument'; text: string } | { kind: 'file'; path: string } | { kind: 'stdin' };

export function chooseValueSource(argument: string | undefined, file: string | undefined, stdinIsTTY: boolean): ValueSource {
  if (file !== undefined && argument !== undefined && argument !== '-') {
    throw new UsageError('give the value either as an argument or with --file, not both');
  }
  if (file !== undefined) return { kind: 'file', path: file };
  if (argument !== undefined && argument !== '-') return { kind: 'argument', text: argument };
  if (argument === undefined && stdinIsTTY) {
    throw new UsageError('missing the value', 'give it as an argument, with --file PATH, or pipe it on stdin (VALUE "-")');
  }
  return { kind: 'stdin' };
}

/** The value's bytes; files and stdin are refused as soon as they pass 25 MiB. */
export async function readValueSource(source: ValueSource, key: string): Promise<Uint8Array> {
  switch (source.kind) {
    case 'argument':
      return Buffer.from(source.text, 'utf8');
    case 'file': {
      const cannotRead = (error: unknown) =>
        new UsageError(
          `cannot read --file ${source.path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
          'check the path',
        );
      let size: number;
      try {
        size = fs.statSync(source.path).size;
      } catch (error) {
        throw cannotRead(error);
      }
      validateValueSize(size, key);
      try {
        return fs.readFileSync(source.path);
      } catch (error) {
        // A folder, or a file we may not read: the path is wrong, not kvadm.
        throw cannotRead(error);
      }
    }
    case 'stdin':
      return readStream(process.stdin as AsyncIterable<Buffer>, key, { measureAll: true });
  }
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
