/** The parts of diff/sync under the engines: store addresses, UTF-8 key order, the merge-join, the local join, what counts as different. */
import path from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { parseStoreAddress } from '../../src/lib/sync/address.js';
import { differences } from '../../src/lib/sync/compare.js';
import { LocalBackend } from '../../src/lib/backends/local.js';
import type { Backend, BulkWriter, KeyPair, SideEntry, StoredEntry } from '../../src/lib/backends/backend.js';
import { compareKeys } from '../../src/lib/cursor.js';
import { mergeSides, readAhead, readPairs, readSide } from '../../src/lib/sync/merge.js';
import { type SyncSummary, syncStores } from '../../src/lib/sync/sync.js';
import { tempDir } from '../helpers.js';

const entry = (key: string, extra: Partial<SideEntry> = {}): SideEntry => ({
  key,
  value: Buffer.from('v'),
  expiration: null,
  metadata: null,
  ...extra,
});

async function* pages<T>(...list: T[][]): AsyncIterable<T[]> {
  for (const page of list) yield page;
}

describe('store addresses', () => {
  it('NAMESPACE and PROFILE:NAMESPACE', () => {
    expect(parseStoreAddress('users', 'SRC')).toEqual({ profile: undefined, namespace: 'users', text: 'users' });
    expect(parseStoreAddress('local-backup:users-2026-12-01', 'DST')).toEqual({
      profile: 'local-backup',
      namespace: 'users-2026-12-01',
      text: 'local-backup:users-2026-12-01',
    });
  });

  it('refuses what is neither, naming the argument', () => {
    expect(() => parseStoreAddress('prod:', 'DST')).toThrow(/DST "prod:": "" is not a namespace name/);
    expect(() => parseStoreAddress(':users', 'SRC')).toThrow(/SRC ":users": "" is not a profile name/);
    expect(() => parseStoreAddress('a:b:c', 'SRC')).toThrow(/"b:c" is not a namespace name/);
  });
});

describe('key order', () => {
  it('is UTF-8 byte order, also where UTF-16 order differs (astral vs U+E000–FFFF)', () => {
    const keys = ['a', 'ab', 'b', 'é', '\uE000', '\uFFFD', '🙂', '中', 'A', 'a\u0000', 'z🙂', 'z\uFFFF'];
    const byBytes = [...keys].sort((x, y) => Buffer.compare(Buffer.from(x), Buffer.from(y)));
    expect([...keys].sort(compareKeys)).toEqual(byBytes);
    expect(compareKeys('🙂', '\uFFFD')).toBeGreaterThan(0);
    expect('🙂' < '\uFFFD').toBe(true);
  });
});

describe('the merge-join', () => {
  it('pairs keys of both sides in order, across page boundaries', async () => {
    const src = pages([entry('a'), entry('c')], [entry('d'), entry('f')]);
    const dst = pages([entry('b')], [], [entry('c'), entry('d'), entry('e'), entry('g')]);
    const pairs: string[] = [];
    for await (const batch of mergeSides(src, dst, 3)) {
      for (const p of batch) pairs.push(`${p.key}:${p.src ? 'S' : ''}${p.dst ? 'D' : ''}`);
    }
    expect(pairs).toEqual(['a:S', 'b:D', 'c:SD', 'd:SD', 'e:D', 'f:S', 'g:D']);
  });

  it('a side that fails mid-read fails the merge', async () => {
    async function* failing(): AsyncIterable<SideEntry[]> {
      yield [entry('a')];
      throw new Error('connection lost');
    }
    const run = async () => {
      for await (const _ of mergeSides(failing(), pages([entry('b')]))) {
      }
    };
    await expect(run()).rejects.toThrow('connection lost');
  });

  it('read-ahead asks for pages before they are consumed, in order', async () => {
    const asked: number[] = [];
    async function* numbered(): AsyncIterable<number> {
      for (let i = 0; i < 5; i++) {
        asked.push(i);
        yield i;
      }
    }
    const seen: number[] = [];
    for await (const n of readAhead(numbered(), 2)) {
      seen.push(n);
      // While page 0 is being handled, the next two are already asked for.
      if (n === 0) expect(asked).toEqual([0, 1, 2]);
    }
    expect(seen).toEqual([0, 1, 2, 3, 4]);
  });
});

describe('what differs', () => {
  it('value bytes, metadata text, expirations more than 60 s apart', () => {
    expect(differences(entry('k'), entry('k'))).toBeNull();
    expect(differences(entry('k'), entry('k', { value: Buffer.from([0xff]) }))).toEqual(['value']);
    expect(differences(entry('k', { metadata: '{"a":1}' }), entry('k'))).toEqual(['metadata']);
    expect(differences(entry('k', { expiration: 1000 }), entry('k', { expiration: 1060 }))).toBeNull();
    expect(differences(entry('k', { expiration: 1000 }), entry('k', { expiration: 1061 }))).toEqual(['expiration']);
    expect(differences(entry('k', { expiration: 1000 }), entry('k'))).toEqual(['expiration']);
    // --keys-only: no values on either side, so only metadata and expiration count.
    expect(differences(entry('k', { value: null }), entry('k', { value: null, metadata: '1' }))).toEqual(['metadata']);
  });
});

describe('two local stores joined inside SQLite', () => {
  // The join must give exactly what merging two scans gives: same keys, same order, same verdicts.
  const now = Date.UTC(2026, 11, 1);
  const nowSeconds = Math.floor(now / 1000);
  const clock = () => now;

  async function seeded(): Promise<{ src: LocalBackend; dst: LocalBackend }> {
    const src = new LocalBackend({ dataDir: tempDir('join-src'), clock });
    const dst = new LocalBackend({ dataDir: tempDir('join-dst'), clock });
    await src.createNamespace('a');
    await dst.createNamespace('b');
    const put = (
      backend: LocalBackend,
      ns: string,
      key: string,
      value: string,
      expiration: number | null = null,
      metadata: string | null = null,
    ) => backend.put(ns, { key, value: Buffer.from(value), expiration, metadata });
    // Keys whose UTF-16 order differs from their byte order, on both sides and on one side only.
    const keys = ['a', 'a\u0000', 'b', 'é', '\uE000', '\uFFFD', '🙂', '中', 'p:1', 'p:2', 'p:3', 'q', 'z🙂', 'z\uFFFF'];
    for (const [i, key] of keys.entries()) {
      if (i % 5 !== 4) await put(src, 'a', key, `v${i}`, i % 3 === 0 ? nowSeconds + 3600 : null, i % 4 === 0 ? '{"m":1}' : null);
      if (i % 5 === 0) continue; // only in SRC
      const value = i % 3 === 1 ? `other${i}` : `v${i}`;
      const expiration = i % 3 === 0 ? nowSeconds + 3600 + (i % 2 === 0 ? 30 : 120) : null;
      await put(dst, 'b', key, value, expiration, i % 4 === 0 ? '{"m":1}' : i % 7 === 0 ? '{"m":2}' : null);
    }
    await put(dst, 'b', 'only-dst', 'x');
    // Keys only DST has, between SRC's in byte order but not in UTF-16 order.
    await put(dst, 'b', '\uFFFE', 'x');
    await put(dst, 'b', '🙃', 'x');
    await put(dst, 'b', 'z\uFFFE', 'x');
    // A run of keys only DST has, longer than a page, between two of SRC's keys.
    for (let i = 1; i <= 5; i++) await put(dst, 'b', `p:2-${i}`, 'x');
    // Rows that differ by their expiration alone (beyond and within the 60 s tolerance).
    await put(src, 'a', 'exp-far', 'same', nowSeconds + 3600);
    await put(dst, 'b', 'exp-far', 'same', nowSeconds + 7200);
    await put(src, 'a', 'exp-near', 'same', nowSeconds + 3600);
    await put(dst, 'b', 'exp-near', 'same', nowSeconds + 3630);
    // Expired rows read as absent on either side.
    await put(src, 'a', 'expired-src', 'x', nowSeconds - 10);
    await put(dst, 'b', 'expired-src', 'x');
    await put(dst, 'b', 'expired-dst', 'x', nowSeconds - 10);
    await put(src, 'a', 'expired-dst', 'x');
    return { src, dst };
  }

  const verdicts = async (pairs: AsyncIterable<KeyPair[]>, valuesRead = true) => {
    const out: string[] = [];
    for await (const batch of pairs) {
      for (const p of batch) {
        const differs = p.src && p.dst ? differences(p.src, p.dst, p.valuesEqual) : null;
        const where = p.src && p.dst ? (differs ?? ['same']).join('+') : p.src ? 'src' : 'dst';
        // What a sync writes (a key only SRC has, or one that differs) always comes with its value.
        const read = valuesRead && p.src && (p.dst === null || differs !== null) ? (p.src.value === null ? ' (no value)' : '') : '';
        out.push(`${p.key} ${where}${read}`);
      }
    }
    return out;
  };

  for (const options of [{}, { prefix: 'p:' }, { keysOnly: true }, { pageSize: 2 }, { prefix: 'z', pageSize: 1 }]) {
    it(`gives the pairs and verdicts of two merged scans (${JSON.stringify(options)})`, async () => {
      const { src, dst } = await seeded();
      try {
        const pair = { src: { backend: src, namespace: 'a' }, dst: { backend: dst, namespace: 'b' } };
        const joined = await verdicts(readPairs(pair.src, pair.dst, options), !('keysOnly' in options));
        const merged = await verdicts(mergeSides(readSide(src, 'a', options), readSide(dst, 'b', options)), !('keysOnly' in options));
        expect(joined).toEqual(merged);
        expect(joined.length).toBeGreaterThan(0);
        if (!('prefix' in options)) {
          expect(joined).toContain('only-dst dst');
          expect(joined).toContain('expired-src dst');
          expect(joined).toContain('expired-dst src');
          expect(joined).toContain('exp-far expiration');
          expect(joined).toContain('exp-near same');
        }
      } finally {
        await src.close();
        await dst.close();
      }
    });
  }

  it('is used for two local stores, reads no value of identical rows, and detaches afterwards', async () => {
    const { src, dst } = await seeded();
    try {
      const join = src.joinScan('a', dst, 'b', { values: true });
      expect(join).not.toBeNull();
      const pairs: KeyPair[] = [];
      for await (const batch of join as AsyncIterable<KeyPair[]>) pairs.push(...batch);
      const identical = pairs.find((p) => p.key === 'b');
      expect(identical?.valuesEqual).toBe(true);
      expect(identical?.src?.value).toBeNull();
      const changed = pairs.find((p) => p.key === 'a\u0000');
      expect(changed?.valuesEqual).toBe(false);
      expect(Buffer.from(changed?.src?.value as Uint8Array).toString()).toBe('v1');
      // A second join on the same connection works: the first one detached its database.
      expect(await verdicts(src.joinScan('a', dst, 'b', { values: false }) as AsyncIterable<KeyPair[]>)).toHaveLength(pairs.length);
      expect(src.joinScan('a', src, 'a', { values: true })).toBeNull();
    } finally {
      await src.close();
      await dst.close();
    }
  });
});

describe('values a local join reads', () => {
  it("gives each row that differs SRC's exact bytes, whether all, some or none of a page's rows differ, or their values pass 4 MiB", async () => {
    const clock = () => Date.UTC(2026, 11, 1);
    const srcDir = tempDir('join-values-src');
    const src = new LocalBackend({ dataDir: srcDir, clock });
    const dst = new LocalBackend({ dataDir: tempDir('join-values-dst'), clock });
    const MiB = 1024 * 1024;
    // Pages of 3 rows (batchSize 3); `same` rows are in DST as in SRC, the others differ or are missing there.
    const rows: { key: string; value: Buffer; same?: boolean; missing?: boolean }[] = [
      // Every row differs: the page's values as one blob of its key range.
      { key: 'k01', value: Buffer.from('') },
      { key: 'k02', value: Buffer.from([0, 0xff, 0xfe, 0, 0x80]) },
      { key: 'k03', value: Buffer.from('\uFEFFa BOM'), missing: true },
      // Some differ: their values joined into one blob.
      { key: 'k04', value: Buffer.from('same'), same: true },
      { key: 'k05', value: Buffer.from([0xc3, 0x28]) },
      { key: 'k06', value: Buffer.from('') },
      // Every row differs, more than 4 MiB: row by row.
      { key: 'k07', value: Buffer.alloc(3 * MiB, 0xab) },
      { key: 'k08', value: Buffer.from('eight') },
      { key: 'k09', value: Buffer.alloc(3 * MiB, 0xcd), missing: true },
      // Some differ, more than 4 MiB: row by row.
      { key: 'k10', value: Buffer.alloc(3 * MiB, 0x11), same: true },
      { key: 'k11', value: Buffer.alloc(3 * MiB, 0x22) },
      { key: 'k12', value: Buffer.alloc(3 * MiB, 0x33) },
      // None differs.
      { key: 'k13', value: Buffer.from('a'), same: true },
      { key: 'k14', value: Buffer.from('b'), same: true },
      { key: 'k15', value: Buffer.from('c'), same: true },
    ];
    try {
      await src.createNamespace('a');
      await dst.createNamespace('b');
      for (const row of rows) {
        await src.put('a', { key: row.key, value: row.value, expiration: null, metadata: null });
        if (row.missing) continue;
        const old = row.same ? row.value : Buffer.concat([row.value, Buffer.from('old')]);
        await dst.put('b', { key: row.key, value: old, expiration: null, metadata: null });
      }
      // Values another tool stored as TEXT, in a page read as one blob and in one read row by row: their UTF-8 bytes.
      const db = new Database(path.join(srcDir, 'namespaces', 'a.sqlite'));
      db.prepare('INSERT INTO kv (key, value) VALUES (?, ?)').run('k16', 'héllo wörld');
      db.prepare('UPDATE kv SET value = ? WHERE key = ?').run('eight', 'k08');
      db.close();
      rows.push({ key: 'k16', value: Buffer.from('héllo wörld'), missing: true });

      const read = new Map<string, Uint8Array | null>();
      for await (const batch of src.joinScan('a', dst, 'b', { values: true, batchSize: 3 }) as AsyncIterable<KeyPair[]>) {
        for (const pair of batch) read.set(pair.key, pair.src?.value ?? null);
      }
      expect([...read.keys()]).toEqual(rows.map((row) => row.key));
      for (const row of rows) {
        const value = read.get(row.key);
        if (row.same) expect(value, row.key).toBeNull();
        else {
          expect(value, row.key).toBeInstanceOf(Uint8Array);
          expect(Buffer.from(value as Uint8Array).equals(row.value), row.key).toBe(true);
        }
      }
    } finally {
      await src.close();
      await dst.close();
    }
  });
});

describe('what a sync keeps in memory', () => {
  const value = (i: number, version: string) => Buffer.from(`${version} ${i} `.padEnd(1024, '.'));

  /**
   * 3,000 keys of 1 KiB in `src` and `dst` of one store; `differs(i)` says which keys DST holds an
   * older value of; DST also holds `dstOnly` keys that sort before all of them.
   */
  async function seeded(dir: string, differs: (i: number) => boolean, dstOnly = 0): Promise<{ backend: LocalBackend; src: StoredEntry[] }> {
    const backend = new LocalBackend({ dataDir: tempDir(dir) });
    await backend.createNamespace('src');
    await backend.createNamespace('dst');
    const src: StoredEntry[] = [];
    const dst: StoredEntry[] = [];
    for (let i = 0; i < dstOnly; i++)
      dst.push({ key: `a${String(i).padStart(5, '0')}`, value: value(i, 'dst'), expiration: null, metadata: null });
    for (let i = 0; i < 3000; i++) {
      const key = `k${String(i).padStart(5, '0')}`;
      src.push({ key, value: value(i, 'new'), expiration: null, metadata: null });
      dst.push({ key, value: value(i, differs(i) ? 'old' : 'new'), expiration: null, metadata: null });
    }
    for (const [namespace, entries] of [
      ['src', src],
      ['dst', dst],
    ] as const) {
      const writer = await backend.bulkWriter(namespace);
      await writer.write(entries);
      await writer.commit();
    }
    return { backend, src };
  }

  /** Sync src to dst, SRC read through the join or (`join` false, as when DST is kvadm serve) page by page; what DST's writer was given. */
  async function recordedSync(backend: LocalBackend, join: boolean): Promise<{ written: StoredEntry[]; summary: SyncSummary }> {
    const written: StoredEntry[] = [];
    const source = new Proxy(backend, {
      get: (target, property) => (property === 'joinScan' && !join ? undefined : Reflect.get(target, property)),
    }) as Backend;
    const destination = new Proxy(backend, {
      get: (target, property) =>
        property === 'bulkWriter'
          ? async (namespace: string): Promise<BulkWriter> => {
              const writer = await target.bulkWriter(namespace);
              return {
                ...writer,
                write: (entries: StoredEntry[]) => {
                  written.push(...entries);
                  return writer.write(entries);
                },
              };
            }
          : Reflect.get(target, property),
    }) as Backend;
    const summary = await syncStores(
      { backend: source, namespace: 'src', label: 'src' },
      { backend: destination, namespace: 'dst', label: 'dst' },
    );
    return { written, summary };
  }

  it('an entry waiting to be written holds its own value, not the page it was read with', async () => {
    // One key in 100 differs: each page of 1,000 SRC entries has 10 to write.
    const { backend, src } = await seeded('sync-own-values', (i) => i % 100 === 0);
    try {
      const { written, summary } = await recordedSync(backend, false);
      expect(summary).toMatchObject({ written: 30, applied: true });
      expect(written.map((entry) => Buffer.from(entry.value).toString())).toEqual(
        src.filter((_, i) => i % 100 === 0).map((entry) => Buffer.from(entry.value).toString()),
      );
      // The 10 values a page contributes share one buffer of their 10 KiB, not the page's 1 MiB.
      for (const entry of written) expect(entry.value.buffer.byteLength).toBeLessThanOrEqual(10 * 1024);
    } finally {
      await backend.close();
    }
  });

  for (const join of [true, false]) {
    it(`when every key differs, values stay views of the blob they were read in, not copies (${join ? 'the join' : 'pages of SRC'})`, async () => {
      // 500 keys only DST has come first, so the sync's batches of 1,000 keys straddle SRC's pages of 1,000.
      const { backend, src } = await seeded(`sync-dense-${join}`, () => true, 500);
      try {
        const { written, summary } = await recordedSync(backend, join);
        expect(summary).toMatchObject({ written: 3000, applied: true, plan: { keep: 500 } });
        expect(written.map((entry) => Buffer.from(entry.value).toString())).toEqual(
          src.map((entry) => Buffer.from(entry.value).toString()),
        );
        // SRC's pages of 1,000 values, each read as one blob: 3 buffers of 1,000 KiB shared by their
        // page's values (a copy per batch would give 4 buffers: of 500, 1,000, 1,000 and 500 KiB).
        const buffers = new Set(written.map((entry) => entry.value.buffer));
        expect(buffers.size).toBe(3);
        for (const buffer of buffers) expect(buffer.byteLength).toBe(1000 * 1024);
      } finally {
        await backend.close();
      }
    });
  }
});
