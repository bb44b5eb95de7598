/**
 * Bulk deletes: every key under a prefix, or the keys listed in a file (a JSON array of
 * key names, or one key a line). Keys go to the backend's deleteMany in batches, so a
 * remote backend can send them as bulk requests.
 */
import { StringDecoder } from 'node:string_decoder';
import { ExitCode, KvadmError, ValidationError } from '../errors.js';
import type { KV } from '../kv.js';
import { JsonScanner } from '../formats/json-scanner.js';
import { LIMITS } from '../limits.js';
import { validateKey } from '../validation.js';
import { type BulkSource, chunksOf, sourceName } from './io.js';
import { counted, truncateText } from '../words.js';

const DELETE_BATCH = 1000;

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
      hint: 'give a JSON array of key names (strings, or objects with "key" or "name"), or one key a line',
      details: { source, problems, invalidCount: count },
    });
  }
}

/**
 * The keys of a list file, validated. A file whose first character is "[" is a JSON
 * array of strings (or of objects with "key" or "name": an export or a `kv list --json`);
 * anything else is one key a line (a trailing \r is dropped; empty lines are skipped).
 */
export async function readKeyList(source: BulkSource, reportLimit = 20): Promise<string[]> {
  const name = sourceName(source);
  const keys: string[] = [];
  const problems: KeyListProblem[] = [];
  let invalid = 0;
  const add = (candidate: unknown, index: number, line: number): void => {
    let key = candidate;
    if (key !== null && typeof key === 'object' && !Array.isArray(key)) {
      const record = key as { key?: unknown; name?: unknown };
      key = record.key ?? record.name;
    }
    try {
      if (typeof key !== 'string') {
        throw new ValidationError(
          'FIELD_INVALID',
          `expected a key name (a string), got ${truncateText(JSON.stringify(candidate) ?? String(candidate), 60)}`,
        );
      }
      keys.push(validateKey(key));
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
      invalid++;
      if (problems.length < reportLimit) problems.push({ index, line, code: error.code, message: error.message });
    }
  };

  const decoder = new StringDecoder('utf8');
  let mode: 'unknown' | 'json' | 'lines' = 'unknown';
  let scanner: JsonScanner | null = null;
  let pending = '';
  let line = 0;
  let index = 0;
  const takeJson = (): void => {
    const batch = scanner?.take();
    if (!batch) return;
    for (let i = 0; i < batch.records.length; i++) add(batch.records[i], index + i, batch.lines[i] as number);
    index += batch.records.length;
  };
  const takeLines = (text: string, final: boolean): void => {
    // Split only the new text: splitting everything held made one long line cost quadratic time.
    const parts = text.split('\n');
    parts[0] = pending + parts[0];
    pending = final ? '' : (parts.pop() as string);
    for (const part of parts) {
      line++;
      const key = part.endsWith('\r') ? part.slice(0, -1) : part;
      if (key === '') continue;
      add(key, index++, line);
    }
  };
  for await (const chunk of chunksOf(source)) {
    let text = typeof chunk === 'string' ? chunk : decoder.write(chunk);
    if (mode === 'unknown') {
      if (line === 0 && pending === '' && text.charCodeAt(0) === 0xfeff) text = text.slice(1);
      pending += text;
      const first = pending.trimStart();
      if (first === '') continue;
      mode = first.startsWith('[') ? 'json' : 'lines';
      text = pending;
      pending = '';
    }
    if (mode === 'json') {
      scanner ??= new JsonScanner('document', name);
      scanner.push(text);
      takeJson();
    } else {
      takeLines(text, false);
    }
  }
  const rest = decoder.end();
  if (mode === 'json' && scanner) {
    scanner.push(rest);
    scanner.end();
    takeJson();
  } else {
    takeLines(rest, true);
  }
  if (invalid > 0) throw new InvalidKeyListError(name, problems, invalid);
  return keys;
}

export interface DeleteProgress {
  processed: number;
  deleted: number;
}

/** Delete `keys` in batches; resolves to how many existed. */
export async function deleteKeys(kv: KV, keys: string[], onProgress?: (progress: DeleteProgress) => void): Promise<number> {
  let deleted = 0;
  const batchSize = Math.min(DELETE_BATCH, LIMITS.bulkMaxItems);
  for (let start = 0; start < keys.length; start += batchSize) {
    const batch = keys.slice(start, start + batchSize);
    deleted += await kv.deleteMany(batch);
    onProgress?.({ processed: start + batch.length, deleted });
  }
  return deleted;
}

/** How many live keys start with `prefix`. */
export async function countPrefix(kv: KV, prefix: string): Promise<number> {
  let count = 0;
  for await (const page of kv.listAll({ prefix })) count += page.length;
  return count;
}

/** Delete every key under `prefix`, page by page; resolves to how many were deleted. */
export async function deletePrefix(kv: KV, prefix: string, onProgress?: (progress: DeleteProgress) => void): Promise<number> {
  if (prefix === '') {
    throw new ValidationError('USAGE', 'refusing to delete with an empty --prefix (it would delete every key)', {
      hint: `to empty a namespace, delete it: kvadm ns delete ${kv.name} (then create it again)`,
    });
  }
  let deleted = 0;
  let processed = 0;
  // Each page starts after the last key of the previous one, so deleting behind the cursor skips nothing.
  for await (const page of kv.listAll({ prefix, pageSize: DELETE_BATCH })) {
    deleted += await kv.deleteMany(page.map((info) => info.name));
    processed += page.length;
    onProgress?.({ processed, deleted });
  }
  return deleted;
}
