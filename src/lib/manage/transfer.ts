/**
 * Export and import for `kvadm manage`: a minimal adapter over the KV client writing and
 * reading the wrangler bulk format, a JSON array of
 * `{key, value, base64?, metadata?, expiration?, expiration_ttl?}`.
 *
 * TODO(merge): switch these two functions to the bulk engine (src/lib/formats/ and the
 * import/export engine of the `bulk` branch) once it is merged, so that `manage` and the
 * `import`/`export` commands share one implementation, formats and limits. Until then this
 * file is the only place manage touches files.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { StoredEntry } from '../backends/backend.js';
import { toJsonValue } from '../encoding.js';
import { InterruptedError, ValidationError } from '../errors.js';
import type { KV } from '../kv.js';

export interface BulkEntry {
  key: string;
  value: string;
  base64?: boolean;
  metadata?: unknown;
  expiration?: number;
  expiration_ttl?: number;
}

export type Progress = (done: number) => void;

/**
 * Write every live key of `kv` to `file` as a JSON array. The file appears only when
 * complete (written beside it, then renamed); Ctrl-C leaves no partial file.
 */
export async function exportNamespace(kv: KV, file: string, onProgress: Progress = () => {}): Promise<number> {
  const temp = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.tmp`);
  const guard = interruptGuard();
  const out = fs.createWriteStream(temp);
  let count = 0;
  try {
    await write(out, '[');
    for await (const page of kv.listAll()) {
      for (const info of page) {
        guard.check();
        const entry = await kv.getEntry(info.name);
        if (entry === null) continue; // expired or deleted since the listing
        const item: BulkEntry = { key: entry.key, ...toJsonValue(entry.value) };
        if (entry.metadata !== null) item.metadata = entry.metadata;
        if (entry.expiration !== null) item.expiration = entry.expiration;
        await write(out, `${count === 0 ? '\n' : ',\n'}  ${JSON.stringify(item)}`);
        count++;
      }
      onProgress(count);
    }
    await write(out, count === 0 ? ']\n' : '\n]\n');
    await new Promise<void>((resolve, reject) => out.end((error?: Error | null) => (error ? reject(error) : resolve())));
    fs.renameSync(temp, file);
    return count;
  } catch (error) {
    out.destroy();
    fs.rmSync(temp, { force: true });
    throw error;
  } finally {
    guard.release();
  }
}

/** Read and check a whole bulk file before anything is written: every problem is reported by index. */
export async function readImportFile(kv: KV, file: string): Promise<StoredEntry[]> {
  let data: unknown;
  try {
    data = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (error) {
    throw new ValidationError('USAGE', `cannot read ${file}: ${(error as Error).message}`, {
      hint: 'give a JSON array of {"key", "value", "base64"?, "metadata"?, "expiration"?, "expiration_ttl"?}',
    });
  }
  if (!Array.isArray(data)) {
    throw new ValidationError('USAGE', `${file}: the top level must be a JSON array of entries`, {
      hint: 'expected [{"key": "k", "value": "v"}, ...] (the wrangler bulk format)',
    });
  }
  const entries: StoredEntry[] = [];
  const problems: string[] = [];
  for (const [index, item] of data.entries()) {
    try {
      entries.push(await toStoredEntry(kv, item));
    } catch (error) {
      problems.push(`#${index}: ${(error as Error).message}`);
    }
  }
  if (problems.length > 0) {
    const shown = problems.slice(0, 5).join('; ');
    throw new ValidationError('USAGE', `${file}: ${problems.length} invalid entries (nothing imported): ${shown}`, {
      hint: 'fix the entries and import again',
    });
  }
  return entries;
}

async function toStoredEntry(kv: KV, item: unknown): Promise<StoredEntry> {
  if (typeof item !== 'object' || item === null || Array.isArray(item)) throw new Error('not an object');
  const { key, value, base64, metadata, expiration, expiration_ttl } = item as Record<string, unknown>;
  if (typeof key !== 'string') throw new Error('"key" must be a string');
  if (typeof value !== 'string') throw new Error(`key ${JSON.stringify(key)}: "value" must be a string`);
  const bytes = base64 === true ? Buffer.from(value, 'base64') : Buffer.from(value, 'utf8');
  return kv.prepareEntry(key, bytes, {
    ...(metadata === undefined ? {} : { metadata }),
    ...(expiration === undefined ? {} : { expiration: expiration as number }),
    ...(expiration_ttl === undefined ? {} : { expirationTtl: expiration_ttl as number }),
  });
}

/** Write checked entries in one bulk session: atomic on the local store (all or nothing). */
export async function importEntries(kv: KV, entries: StoredEntry[], onProgress: Progress = () => {}): Promise<number> {
  const guard = interruptGuard();
  const writer = await kv.backend.bulkWriter(kv.name);
  let written = 0;
  try {
    for (let i = 0; i < entries.length; i += 1000) {
      guard.check();
      const result = await writer.write(entries.slice(i, i + 1000));
      written += result.written;
      onProgress(written);
    }
    guard.check();
    await writer.commit();
    return written;
  } catch (error) {
    await writer.abort().catch(() => undefined);
    throw error;
  } finally {
    guard.release();
  }
}

function write(out: fs.WriteStream, text: string): Promise<void> {
  return new Promise((resolve, reject) => {
    if (out.write(text)) resolve();
    else out.once('drain', resolve).once('error', reject);
  });
}

/** Turn Ctrl-C during a long write into an InterruptedError at the next safe point. */
function interruptGuard(): { check(): void; release(): void } {
  let interrupted = false;
  const onSigint = () => {
    interrupted = true;
  };
  process.on('SIGINT', onSigint);
  return {
    check() {
      if (interrupted) throw new InterruptedError();
    },
    release() {
      process.off('SIGINT', onSigint);
    },
  };
}
