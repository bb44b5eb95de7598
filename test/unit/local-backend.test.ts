/**
 * What is specific to the SQLite store: one file per namespace, WAL, the sweeper
 * (bounded on open, on demand), persistence across connections, and several OS
 * processes writing one namespace at once.
 */
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { LocalBackend } from '../../src/lib/backends/local.js';
import { OPEN_SWEEP_MAX_ROWS } from '../../src/lib/backends/local-sql.js';
import type { KvadmError } from '../../src/lib/errors.js';
import { valueDigest } from '../../src/lib/digest.js';
import { KV } from '../../src/lib/kv.js';
import { tempDir } from '../helpers.js';

const START_MS = 1_800_000_000_000;
const START_S = START_MS / 1000;

const open: LocalBackend[] = [];
function backendAt(dataDir: string, clock?: () => number): LocalBackend {
  const backend = new LocalBackend({ dataDir, ...(clock ? { clock } : {}) });
  open.push(backend);
  return backend;
}
afterEach(async () => {
  for (const backend of open.splice(0)) await backend.close();
});

function fileOf(dataDir: string, namespace: string): string {
  return path.join(dataDir, 'namespaces', `${namespace}.sqlite`);
}

function rawCount(dataDir: string, namespace: string): number {
  const db = new Database(fileOf(dataDir, namespace), { readonly: true });
  try {
    return (db.prepare('SELECT count(*) AS n FROM kv').get() as { n: number }).n;
  } finally {
    db.close();
  }
}

describe('files', () => {
  it('keeps each namespace in its own file, in WAL mode, and deleting one removes its files at once', async () => {
    const dir = tempDir('files');
    const backend = backendAt(dir);
    const users = await KV.create('users', { backend });
    const other = await KV.create('other', { backend });
    await users.put('k', Buffer.alloc(100_000, 1));
    await other.put('k', 'v');
    expect(fs.existsSync(fileOf(dir, 'users'))).toBe(true);
    expect(fs.existsSync(fileOf(dir, 'other'))).toBe(true);

    const db = new Database(fileOf(dir, 'users'), { readonly: true });
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    db.close();

    await KV.delete('users', { backend });
    const left = fs.readdirSync(path.join(dir, 'namespaces'));
    expect(left.filter((f) => f.startsWith('users'))).toEqual([]);
    expect(await other.get('k')).toBe('v');
  });

  it('data written by one backend is there for a new one (persistence across connections)', async () => {
    const dir = tempDir('persist');
    const first = backendAt(dir);
    await new KV('default', { backend: first }).put('k', 'v', { metadata: { a: 1 } });
    await first.close();
    const second = backendAt(dir);
    expect(await new KV('default', { backend: second }).getWithMetadata('k')).toEqual({ value: 'v', metadata: { a: 1 } });
  });

  it('the default namespace is created on first use; deleting it empties it', async () => {
    const dir = tempDir('default');
    const backend = backendAt(dir);
    expect(await KV.listNamespaces({ backend })).toEqual(['default']);
    expect(fs.existsSync(fileOf(dir, 'default'))).toBe(false);
    const kv = new KV('default', { backend });
    await kv.put('k', 'v');
    expect(fs.existsSync(fileOf(dir, 'default'))).toBe(true);
    await KV.delete('default', { backend });
    expect(fs.existsSync(fileOf(dir, 'default'))).toBe(false);
    expect(await kv.get('k')).toBeNull();
    expect(await KV.listNamespaces({ backend })).toEqual(['default']);
  });

  it("namespaceInfo gives the namespace file's times only when asked; reads and opening do not move lastModified", async () => {
    const dir = tempDir('times');
    const pause = () => new Promise((resolve) => setTimeout(resolve, 30));
    const before = Date.now();
    const backend = backendAt(dir);
    await backend.createNamespace('timed');
    // Unasked, the answer is what it always was (kvadm ns info --json shows it whole).
    expect(await backend.namespaceInfo('timed')).toEqual({ name: 'timed', keyCount: 0, storedBytes: 0, expiredKeys: 0 });

    const created = await backend.namespaceInfo('timed', { times: true });
    const birthMs = fs.statSync(fileOf(dir, 'timed')).birthtimeMs;
    // A file system that records no birth time gives null, never 1970.
    if (birthMs === 0) expect(created.createdAt).toBeNull();
    else expect(Date.parse(created.createdAt as string)).toBeGreaterThanOrEqual(before - 1000);
    expect(Date.parse(created.lastModified as string)).toBeGreaterThanOrEqual(before - 1000);

    await pause();
    await backend.put('timed', { key: 'k', value: Buffer.from('v'), expiration: null, metadata: null });
    const written = await backend.namespaceInfo('timed', { times: true });
    expect(Date.parse(written.lastModified as string)).toBeGreaterThan(Date.parse(created.lastModified as string));
    expect(written.createdAt).toBe(created.createdAt);
    await backend.close();

    // Closing folds the WAL into the file; a new connection opens an empty WAL, which is not a write.
    await pause();
    const reader = backendAt(dir);
    const reopened = await reader.namespaceInfo('timed', { times: true });
    expect(reopened.lastModified).toBe(new Date(fs.statSync(fileOf(dir, 'timed')).mtimeMs).toISOString());
    expect(reopened).toMatchObject({ keyCount: 1, createdAt: created.createdAt });
    await pause();
    await reader.get('timed', 'k');
    expect((await reader.namespaceInfo('timed', { times: true })).lastModified).toBe(reopened.lastModified);
  });

  it('lists namespaces in byte order and ignores files that are not namespaces', async () => {
    const dir = tempDir('names');
    const backend = backendAt(dir);
    for (const name of ['b', 'A', 'a.b', '_x']) await KV.create(name, { backend });
    fs.writeFileSync(path.join(dir, 'namespaces', 'notes.txt'), 'x');
    expect(await KV.listNamespaces({ backend })).toEqual(['A', '_x', 'a.b', 'b', 'default']);
  });

  it('an unusable data dir is refused when the backend opens, naming the path and what is wrong (exit 2)', () => {
    const dir = tempDir('notdir');
    const file = path.join(dir, 'file');
    fs.writeFileSync(file, 'x');
    const refusal = (dataDir: string) => {
      try {
        new LocalBackend({ dataDir });
      } catch (error) {
        return error as KvadmError;
      }
      throw new Error(`${dataDir} was accepted`);
    };
    expect(refusal(file)).toMatchObject({
      code: 'DATA_DIR_UNUSABLE',
      exitCode: 2,
      message: `cannot use the data folder ${file}: it is a file, not a folder`,
    });
    expect(refusal(path.join(file, 'sub', 'deeper')).message).toBe(
      `cannot use the data folder ${path.join(file, 'sub', 'deeper')}: it cannot be created because ${file} is a file, not a folder`,
    );
    const store = path.join(dir, 'store');
    fs.mkdirSync(store);
    fs.writeFileSync(path.join(store, 'namespaces'), 'x');
    expect(refusal(store).message).toBe(`cannot use the data folder ${store}: ${path.join(store, 'namespaces')} is a file, not a folder`);
  });

  it.skipIf(process.getuid?.() === 0)('a folder kvadm may not write is refused as not writable', () => {
    const dir = path.join(tempDir('readonly'), 'ro');
    fs.mkdirSync(dir, { mode: 0o555 });
    expect(() => new LocalBackend({ dataDir: dir })).toThrow(`cannot use the data folder ${dir}: the folder is not writable`);
    expect(() => new LocalBackend({ dataDir: path.join(dir, 'store') })).toThrow(`it cannot be created because ${dir} is not writable`);
  });

  it.skipIf(!fs.existsSync('/proc/self'))('a data dir under /proc fails on the first write instead of looping in mkdir', async () => {
    const backend = backendAt('/proc/kvadm-nope/store');
    await expect(new KV('default', { backend }).put('k', 'v')).rejects.toMatchObject({
      code: 'DATA_DIR_UNUSABLE',
      exitCode: 2,
      message: 'cannot use the data folder /proc/kvadm-nope/store: cannot create /proc/kvadm-nope (ENOENT)',
    });
  });

  it('a missing data dir is created, parents included, on the first write', async () => {
    const dataDir = path.join(tempDir('deep'), 'a', 'b', 'c');
    const backend = backendAt(dataDir);
    expect(fs.existsSync(dataDir)).toBe(false);
    await new KV('default', { backend }).put('k', 'v');
    expect(fs.readdirSync(path.join(dataDir, 'namespaces'))).toContain('default.sqlite');
  });
});

describe('deferred WAL checkpoints (kvadm serve)', () => {
  /** Rows in the namespace's main file alone, read from a copy without its WAL: what a checkpoint has folded in. */
  function rowsInMainFile(dataDir: string, namespace: string): number {
    const copyDir = tempDir('main-file');
    fs.mkdirSync(path.join(copyDir, 'namespaces'));
    fs.copyFileSync(fileOf(dataDir, namespace), fileOf(copyDir, 'copy'));
    const db = new Database(fileOf(copyDir, 'copy'), { readonly: true });
    try {
      // Before any checkpoint even the table is only in the WAL.
      if (!db.prepare("SELECT 1 FROM sqlite_master WHERE name = 'kv'").get()) return 0;
    } finally {
      db.close();
    }
    return rawCount(copyDir, 'copy');
  }

  it('with a large threshold, commits leave the writes in the WAL until checkpoint() folds them into the file', async () => {
    const dir = tempDir('checkpoint');
    const backend = new LocalBackend({ dataDir: dir, walCheckpointPages: 100_000 });
    open.push(backend);
    const kv = await KV.create('served', { backend });
    // More pages than SQLite's default threshold of 1000: without the setting a commit would fold them in.
    for (let batch = 0; batch < 5; batch++) {
      const writer = await backend.bulkWriter('served');
      await writer.write(
        Array.from({ length: 2000 }, (_, i) => ({
          key: `k${batch}-${i}`,
          value: Buffer.alloc(500, i),
          expiration: null,
          metadata: null,
        })),
      );
      await writer.commit();
    }
    expect(await kv.list({ limit: 1 })).toMatchObject({ keys: [{ name: 'k0-0' }] });
    expect(rowsInMainFile(dir, 'served')).toBe(0);

    await backend.checkpoint();
    expect(rowsInMainFile(dir, 'served')).toBe(10_000);
  });
});

describe('sweeper', () => {
  let now = START_MS;
  const clock = () => now;

  it('expired rows stay on disk until swept, are never read, and sweeping removes them and reports the next expiry', async () => {
    now = START_MS;
    const dir = tempDir('sweep');
    const backend = backendAt(dir, clock);
    const kv = new KV('default', { backend, clock });
    await kv.put('a', 'v', { expirationTtl: 60 });
    await kv.put('b', 'v', { expirationTtl: 120 });
    await kv.put('c', 'v', { expirationTtl: 3600 });
    await kv.put('keep', 'v');

    now = START_MS + 121_000;
    expect(rawCount(dir, 'default')).toBe(4);
    expect(await kv.namespaceInfo()).toMatchObject({ keyCount: 2, expiredKeys: 2 });
    expect((await kv.list()).keys.map((k) => k.name)).toEqual(['c', 'keep']);

    expect(await kv.sweep()).toEqual({ deleted: 2, nextExpiration: START_S + 3600 });
    expect(rawCount(dir, 'default')).toBe(2);
    expect(await kv.namespaceInfo()).toMatchObject({ keyCount: 2, expiredKeys: 0 });
    expect(await kv.sweep()).toEqual({ deleted: 0, nextExpiration: START_S + 3600 });

    now = START_MS + 3600_000;
    expect(await kv.sweep()).toEqual({ deleted: 1, nextExpiration: null });
    expect(await kv.get('keep')).toBe('v');
  });

  it('opening a store sweeps a bounded number of expired rows; reads stay correct for the rest', async () => {
    now = START_MS;
    const dir = tempDir('open-sweep');
    const writer = backendAt(dir, clock);
    const total = OPEN_SWEEP_MAX_ROWS + 250;
    const bulk = await writer.bulkWriter('default');
    const rows = Array.from({ length: total }, (_, i) => ({
      key: `k${String(i).padStart(5, '0')}`,
      value: Buffer.from('v'),
      expiration: START_S + 60,
      metadata: null,
    }));
    await bulk.write(rows);
    await bulk.write([{ key: 'live', value: Buffer.from('v'), expiration: null, metadata: null }]);
    await bulk.commit();
    await writer.close();

    now = START_MS + 61_000;
    const reopened = backendAt(dir, clock);
    const kv = new KV('default', { backend: reopened, clock });
    // The first operation opens the file, which sweeps at most OPEN_SWEEP_MAX_ROWS.
    expect(await kv.namespaceInfo()).toEqual({ name: 'default', keyCount: 1, storedBytes: 5, expiredKeys: 250 });
    expect(rawCount(dir, 'default')).toBe(251);
    expect((await kv.list()).keys.map((k) => k.name)).toEqual(['live']);
    expect(await kv.get('k00000')).toBeNull();
    expect(await kv.get(`k${String(total - 1).padStart(5, '0')}`)).toBeNull();
    // A sweep reports what it removed and what the sweep on open removed before it.
    expect(await kv.sweep()).toEqual({ deleted: total, nextExpiration: null });
    expect(rawCount(dir, 'default')).toBe(1);
    expect((await kv.sweep()).deleted).toBe(0);
  });

  it('a sweep bounded by maxRows removes at most that many', async () => {
    now = START_MS;
    const dir = tempDir('bounded');
    const backend = backendAt(dir, clock);
    const kv = new KV('default', { backend, clock });
    for (let i = 0; i < 10; i++) await kv.put(`k${i}`, 'v', { expirationTtl: 60 });
    now = START_MS + 60_000;
    expect(await backend.sweep('default', 4)).toEqual({ deleted: 4, nextExpiration: null });
    expect(await kv.namespaceInfo()).toMatchObject({ keyCount: 0, expiredKeys: 6 });
  });

  it('sweeping a missing namespace is NamespaceNotFoundError', async () => {
    const backend = backendAt(tempDir('sweep-missing'));
    await expect(backend.sweep('nope')).rejects.toMatchObject({ code: 'NAMESPACE_NOT_FOUND' });
  });
});

describe('bulk writer', () => {
  it('commits atomically; abort leaves nothing', async () => {
    const dir = tempDir('bulk');
    const backend = backendAt(dir);
    const entry = (key: string) => ({ key, value: Buffer.from(key), expiration: null, metadata: null });
    const aborted = await backend.bulkWriter('default');
    await aborted.write([entry('x1'), entry('x2')]);
    await aborted.abort();
    const committed = await backend.bulkWriter('default');
    await committed.write([entry('y1'), entry('y2')]);
    await committed.commit();
    expect((await new KV('default', { backend }).list()).keys.map((k) => k.name)).toEqual(['y1', 'y2']);
  });
});

describe('reading many keys', () => {
  it('getMany answers in the order asked, repeats included, null for missing and expired keys, any key text', async () => {
    const backend = backendAt(tempDir('local-get-many'), () => START_MS);
    await backend.createNamespace('n');
    const keys = ['a\u0000b', 'é🙂', 'x"\\y', '\u2028', 'tab\tkey', 'a'];
    for (const key of keys) await backend.put('n', { key, value: Buffer.from(`v ${key}`), expiration: null, metadata: '{"k":1}' });
    await backend.put('n', { key: 'gone', value: Buffer.from('x'), expiration: START_S - 1, metadata: null });
    const asked = ['a', 'missing', ...keys, 'gone', 'a'];
    const got = await backend.getMany('n', asked);
    expect(got.map((entry) => entry?.value.toString() ?? null)).toEqual(
      asked.map((key) => (key === 'missing' || key === 'gone' ? null : `v ${key}`)),
    );
    expect(got[0]).toEqual({ key: 'a', value: Buffer.from('v a'), expiration: null, metadata: '{"k":1}' });
    expect(await backend.getMany('n', [])).toEqual([]);
  });
});

describe('scanning full rows', () => {
  it('gives every value its exact bytes in key order, live keys only, whether a page comes as one blob or row by row', async () => {
    const backend = backendAt(tempDir('local-scan'), () => START_MS);
    await backend.createNamespace('n');
    const values = new Map<string, Buffer>([
      ['p:a', Buffer.from('alpha')],
      ['p:b', Buffer.from('')],
      ['p:c', Buffer.from([0, 0xff, 0xfe, 0, 0x80])],
      ['p:d', Buffer.from('\uFEFFtext with a BOM')],
      // A page with these (3 MiB each) adds up to more than one page's blob: it is read row by row.
      ['p:e', Buffer.alloc(3 * 1024 * 1024, 0xab)],
      ['p:f', Buffer.alloc(3 * 1024 * 1024, 0xcd)],
      ['p:g', Buffer.from([0xc3, 0x28])],
      ['p:h', Buffer.from('')],
      ['p:i', Buffer.from('x'.repeat(1000))],
    ]);
    for (const [key, value] of values) await backend.put('n', { key, value, expiration: null, metadata: key === 'p:d' ? '{"m":1}' : null });
    await backend.put('n', { key: 'p:bb', value: Buffer.from('expired'), expiration: START_S - 1, metadata: null });
    await backend.put('n', { key: 'o:outside', value: Buffer.from('other prefix'), expiration: null, metadata: null });
    await backend.put('n', { key: 'q', value: Buffer.from('after the prefix'), expiration: null, metadata: null });

    const scanned: { key: string; value: Buffer; metadata: string | null }[] = [];
    for await (const page of backend.scan('n', { prefix: 'p:', batchSize: 3 })) {
      for (const entry of page) scanned.push({ key: entry.key, value: Buffer.from(entry.value), metadata: entry.metadata });
    }
    expect(scanned.map((entry) => entry.key)).toEqual([...values.keys()]);
    for (const entry of scanned) expect(entry.value.equals(values.get(entry.key) as Buffer), entry.key).toBe(true);
    expect(scanned.find((entry) => entry.key === 'p:d')?.metadata).toBe('{"m":1}');

    const all: string[] = [];
    for await (const page of backend.scan('n')) all.push(...page.map((entry) => entry.key));
    expect(all).toEqual(['o:outside', ...values.keys(), 'q']);
  });

  it('lists the digest of every value, a page of values over 4 MiB hashed a run at a time', async () => {
    const backend = backendAt(tempDir('local-digests'), () => START_MS);
    await backend.createNamespace('n');
    const MiB = 1024 * 1024;
    const values = new Map<string, Buffer>([
      ['a', Buffer.from('alpha')],
      ['b', Buffer.alloc(3 * MiB, 0x01)],
      ['c', Buffer.from('')],
      ['d', Buffer.alloc(3 * MiB, 0x02)],
      // One value larger than a run's 4 MiB: a run of its own.
      ['e', Buffer.alloc(5 * MiB, 0x03)],
      ['f', Buffer.from([0, 0xff])],
      ['g', Buffer.alloc(2 * MiB, 0x04)],
    ]);
    for (const [key, value] of values) await backend.put('n', { key, value, expiration: null, metadata: null });
    const digests = new Map<string, string | undefined>();
    let cursor: string | undefined;
    for (;;) {
      const page = await backend.list('n', { digest: true, limit: 4, ...(cursor ? { cursor } : {}) });
      for (const info of page.keys) digests.set(info.name, info.digest);
      if (page.list_complete) break;
      cursor = page.cursor;
    }
    expect([...digests]).toEqual([...values].map(([key, value]) => [key, valueDigest(value)]));
    // A page stops early, with a cursor, once it has hashed 64 MiB: here after two values of 24 MiB.
    await backend.createNamespace('big');
    const big = [0x11, 0x22, 0x33].map((byte) => Buffer.alloc(24 * MiB, byte));
    for (const [i, value] of big.entries()) await backend.put('big', { key: `k${i}`, value, expiration: null, metadata: null });
    const first = await backend.list('big', { digest: true, limit: 10 });
    expect(first.keys.map((info) => [info.name, info.digest])).toEqual([
      ['k0', valueDigest(big[0] as Buffer)],
      ['k1', valueDigest(big[1] as Buffer)],
    ]);
    expect(first.list_complete).toBe(false);
    const rest = await backend.list('big', { digest: true, limit: 10, cursor: first.cursor as string });
    expect(rest).toEqual({ keys: [{ name: 'k2', digest: valueDigest(big[2] as Buffer) }], list_complete: true });
    // A listing with digests takes pages of up to 10,000 keys; a plain one up to 1,000.
    const kv = await KV.open('n', { backend });
    expect((await kv.list({ digest: true, limit: 10_000 })).keys).toHaveLength(values.size);
    await expect(kv.list({ limit: 1001 })).rejects.toThrow('it must be 1 to 1000');
  });

  it('reads a value another tool stored as TEXT as its UTF-8 bytes, by every read: get, getMany, a scan as one blob and row by row', async () => {
    const dir = tempDir('local-scan-text');
    const backend = backendAt(dir, () => START_MS);
    await backend.createNamespace('n');
    await backend.put('n', { key: 'a', value: Buffer.from('bytes'), expiration: null, metadata: null });
    const db = new Database(fileOf(dir, 'n'));
    db.prepare('INSERT INTO kv (key, value) VALUES (?, ?)').run('b', 'héllo wörld');
    db.close();
    const text = Buffer.from('héllo wörld');
    // Bytes, not a string that happens to encode to them.
    const hexOf = (value: unknown) => (value instanceof Uint8Array ? Buffer.from(value).toString('hex') : `not bytes: ${typeof value}`);
    const scanned = async () => {
      const out: [string, string | undefined][] = [];
      for await (const page of backend.scan('n')) for (const entry of page) out.push([entry.key, hexOf(entry.value)]);
      return out;
    };
    expect(await scanned()).toEqual([
      ['a', hexOf(Buffer.from('bytes'))],
      ['b', hexOf(text)],
    ]);
    expect(hexOf((await backend.get('n', 'b'))?.value)).toBe(hexOf(text));
    expect((await backend.getMany('n', ['b', 'a'])).map((entry) => hexOf(entry?.value))).toEqual([
      hexOf(text),
      hexOf(Buffer.from('bytes')),
    ]);
    // A page of more than 4 MiB is read row by row.
    const large = Buffer.alloc(5 * 1024 * 1024, 0x61);
    await backend.put('n', { key: 'c', value: large, expiration: null, metadata: null });
    expect(await scanned()).toEqual([
      ['a', hexOf(Buffer.from('bytes'))],
      ['b', hexOf(text)],
      ['c', hexOf(large)],
    ]);
  });
});
