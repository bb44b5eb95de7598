/**
 * The KV library on every backend: value types in and out, bytes kept exactly, metadata,
 * limits, expiry and sweeping on an injected clock, listing order and pagination, bulk
 * writes and scans, namespaces. Runs once per target of test/backends.ts (the local store,
 * and the HTTP backend talking to a real `kvadm serve`): a difference between the two is a
 * bug. (Merged from kv-client.test.ts and kv-behaviour.test.ts.)
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Backend, StoredEntry } from '../../src/lib/backends/backend.js';
import { NamespaceExistsError, NamespaceNotFoundError, ValidationError } from '../../src/lib/errors.js';
import { KV } from '../../src/lib/kv.js';
import { LIMITS } from '../../src/lib/limits.js';
import { forEachBackend } from '../backends.js';

const START_MS = 1_800_000_000_000;

async function collect<T>(iterable: AsyncIterable<T[]>): Promise<T[]> {
  const all: T[] = [];
  for await (const batch of iterable) all.push(...batch);
  return all;
}

forEachBackend('KV client', (target) => {
  let now = START_MS;
  const clock = () => now;
  let backend: Backend;
  let counter = 0;
  /** A fresh namespace per test, so tests share one store without seeing each other. */
  const fresh = async () => KV.create(`t${++counter}-${Date.now().toString(36)}`, { backend, clock });

  beforeAll(async () => {
    backend = await target.createBackend({ clock });
  });
  afterAll(async () => {
    await backend.close();
  });

  describe('put and get', () => {
    it('reads a string back as text, json, arrayBuffer and stream', async () => {
      const kv = await fresh();
      await kv.put('s', '{"a":[1,"é"]}');
      expect(await kv.get('s')).toBe('{"a":[1,"é"]}');
      expect(await kv.get('s', 'text')).toBe('{"a":[1,"é"]}');
      expect(await kv.get('s', 'json')).toEqual({ a: [1, 'é'] });
      const buffer = (await kv.get('s', 'arrayBuffer')) as ArrayBuffer;
      expect(buffer).toBeInstanceOf(ArrayBuffer);
      expect(Buffer.from(buffer).toString('utf8')).toBe('{"a":[1,"é"]}');
      const stream = (await kv.get('s', 'stream')) as ReadableStream<Uint8Array>;
      const chunks: Uint8Array[] = [];
      for await (const chunk of stream as unknown as AsyncIterable<Uint8Array>) chunks.push(chunk);
      expect(Buffer.concat(chunks).toString('utf8')).toBe('{"a":[1,"é"]}');
    });

    it('stores a JSON object as its JSON text', async () => {
      const kv = await fresh();
      await kv.put('o', { name: 'Ada', tags: ['x'], n: 1.5, ok: true, none: null });
      expect(await kv.get('o', 'json')).toEqual({ name: 'Ada', tags: ['x'], n: 1.5, ok: true, none: null });
      expect(await kv.get('o')).toBe('{"name":"Ada","tags":["x"],"n":1.5,"ok":true,"none":null}');
    });

    it('stores ArrayBuffer, Uint8Array (a view into a larger buffer) and other typed arrays byte for byte', async () => {
      const kv = await fresh();
      const all = new Uint8Array(256).map((_, i) => i);
      await kv.put('ab', all.buffer);
      await kv.put('view', all.subarray(250, 254));
      await kv.put('u16', new Uint16Array([0x0102, 0xfffe]));
      expect(new Uint8Array((await kv.get('ab', 'arrayBuffer')) as ArrayBuffer)).toEqual(all);
      expect([...new Uint8Array((await kv.get('view', 'arrayBuffer')) as ArrayBuffer)]).toEqual([250, 251, 252, 253]);
      expect((await kv.get('u16', 'arrayBuffer'))?.byteLength).toBe(4);
      expect(new Uint16Array((await kv.get('u16', 'arrayBuffer')) as ArrayBuffer)).toEqual(new Uint16Array([0x0102, 0xfffe]));
    });

    it('stores a ReadableStream of many chunks', async () => {
      const kv = await fresh();
      const parts = Array.from({ length: 50 }, (_, i) => Buffer.alloc(1000, i));
      const stream = new ReadableStream<Uint8Array>({
        start(controller) {
          for (const part of parts) controller.enqueue(new Uint8Array(part));
          controller.close();
        },
      });
      await kv.put('streamed', stream);
      expect(Buffer.from((await kv.get('streamed', 'arrayBuffer')) as ArrayBuffer)).toEqual(Buffer.concat(parts));
    });

    it('stores the empty value (0 bytes), which is not a missing key', async () => {
      const kv = await fresh();
      await kv.put('empty', '');
      expect(await kv.get('empty')).toBe('');
      expect((await kv.get('empty', 'arrayBuffer'))?.byteLength).toBe(0);
      await kv.put('empty-bytes', new Uint8Array(0));
      expect(await kv.get('empty-bytes')).toBe('');
    });

    it('a write replaces value, metadata and expiration', async () => {
      const kv = await fresh();
      await kv.put('k', 'one', { metadata: { v: 1 }, expirationTtl: 60 });
      await kv.put('k', 'two');
      expect(await kv.getWithMetadata('k')).toEqual({ value: 'two', metadata: null });
      expect((await kv.getEntry('k'))?.expiration).toBeNull();
    });

    it('reads a missing key as null, for every type and getWithMetadata', async () => {
      const kv = await fresh();
      for (const type of ['text', 'json', 'arrayBuffer', 'stream'] as const) expect(await kv.get('missing', type)).toBeNull();
      expect(await kv.get('missing')).toBeNull();
      expect(await kv.getWithMetadata('missing')).toEqual({ value: null, metadata: null });
      expect(await kv.getWithMetadata('missing', 'json')).toEqual({ value: null, metadata: null });
    });

    it('getWithMetadata returns the value in the asked type with parsed metadata', async () => {
      const kv = await fresh();
      await kv.put('m', '{"x":1}', { metadata: { owner: 'ops', tags: ['a', 'é'] } });
      expect(await kv.getWithMetadata('m')).toEqual({ value: '{"x":1}', metadata: { owner: 'ops', tags: ['a', 'é'] } });
      expect(await kv.getWithMetadata('m', 'json')).toEqual({ value: { x: 1 }, metadata: { owner: 'ops', tags: ['a', 'é'] } });
      await kv.put('scalar-meta', 'v', { metadata: 7 });
      expect((await kv.getWithMetadata('scalar-meta')).metadata).toBe(7);
    });

    it('round-trips unicode keys with slashes, spaces and emoji', async () => {
      const kv = await fresh();
      const keys = ['a/b/c', 'with space', ' ', '日本語/キー', '👩‍👩‍👧/😀 x', 'line\nbreak', `${'€'.repeat(170)}ab`];
      for (const [i, key] of keys.entries()) await kv.put(key, `v${i}`);
      for (const [i, key] of keys.entries()) expect(await kv.get(key)).toBe(`v${i}`);
      const listed = (await kv.list()).keys.map((k) => k.name);
      expect(new Set(listed)).toEqual(new Set(keys));
    });

    it('delete: resolves whether the key existed, and the key reads as null after', async () => {
      const kv = await fresh();
      await kv.put('d', 'v');
      expect(await kv.delete('d')).toBe(true);
      expect(await kv.get('d')).toBeNull();
      expect(await kv.delete('d')).toBe(false);
      await kv.put('d1', 'v');
      await kv.put('d2', 'v');
      expect(await kv.deleteMany(['d1', 'd2', 'd3'])).toBe(2);
      expect((await kv.list()).keys).toEqual([]);
    });
    it('keeps bytes exactly: a leading BOM, a literal U+FFFD, empty values, also through getEntries', async () => {
      const kv = await fresh();
      const bom = Buffer.from([0xef, 0xbb, 0xbf, 0x41]);
      await kv.put('bom', bom);
      await kv.put('replacement', 'a\uFFFDb');
      await kv.put('empty', '');
      expect(Buffer.from((await kv.getEntry('bom'))!.value)).toEqual(bom);
      expect(await kv.get('replacement')).toBe('a\uFFFDb');
      expect(await kv.get('empty')).toBe('');
      const many = await kv.getEntries(['bom', 'replacement', 'empty']);
      expect(many.map((e) => Buffer.from(e!.value).toString('hex'))).toEqual([
        bom.toString('hex'),
        Buffer.from('a\uFFFDb').toString('hex'),
        '',
      ]);
    });

    it('stores metadata and an absolute expiration with the value', async () => {
      const kv = await fresh();
      const expiration = Math.floor(now / 1000) + 7200;
      await kv.put('k', 'v', { metadata: { owner: 'ops', n: 1 }, expiration });
      expect(await kv.getWithMetadata('k')).toEqual({ value: 'v', metadata: { owner: 'ops', n: 1 } });
      expect(await kv.getEntry('k')).toMatchObject({ key: 'k', metadata: { owner: 'ops', n: 1 }, expiration });
      await kv.put('plain', 'v');
      expect(await kv.getWithMetadata('plain')).toEqual({ value: 'v', metadata: null });
    });

    it('accepts keys that need escaping in URLs', async () => {
      const kv = await fresh();
      const keys = [
        'a/b',
        'a%2Fb',
        'q?x=1&y',
        'hash#frag',
        'sp ace',
        '..a',
        '.hidden',
        "sub:@!$&'()*+,;=",
        'ünï©ødé ✓',
        '\u0001ctl',
        'k'.repeat(512),
      ];
      for (const key of keys) await kv.put(key, `v:${key}`);
      for (const key of keys) expect(await kv.get(key)).toBe(`v:${key}`);
      const listed = (await kv.list()).keys.map((k) => k.name);
      expect(listed).toEqual([...keys].sort((x, y) => Buffer.compare(Buffer.from(x), Buffer.from(y))));
    });
  });

  describe('limits on writes (nothing is written when refused)', () => {
    it('keys: 512 bytes of 3-byte characters written, 513 refused', async () => {
      const kv = await fresh();
      const k512 = `${'€'.repeat(170)}ab`;
      await kv.put(k512, 'ok');
      expect(await kv.get(k512)).toBe('ok');
      const k513 = '€'.repeat(171);
      await expect(kv.put(k513, 'no')).rejects.toMatchObject({ code: 'KEY_TOO_LONG', details: { key: k513, limit: 512, actual: 513 } });
      for (const key of ['', '.', '..', 'lone\uD800']) await expect(kv.put(key, 'no')).rejects.toBeInstanceOf(ValidationError);
      expect((await kv.list()).keys.map((k) => k.name)).toEqual([k512]);
    });

    it('values: exactly 25 MiB written and read back, one byte more refused', async () => {
      const kv = await fresh();
      const exact = Buffer.alloc(LIMITS.valueMaxBytes, 0x5a);
      exact[exact.length - 1] = 0x21;
      await kv.put('big', exact);
      const back = Buffer.from((await kv.get('big', 'arrayBuffer')) as ArrayBuffer);
      expect(back.byteLength).toBe(26_214_400);
      expect(back.equals(exact)).toBe(true);
      await expect(kv.put('bigger', new Uint8Array(LIMITS.valueMaxBytes + 1))).rejects.toMatchObject({
        code: 'VALUE_TOO_LARGE',
        details: { key: 'bigger', limit: 26_214_400, actual: 26_214_401 },
      });
      expect(await kv.get('bigger')).toBeNull();
      // A string is measured in UTF-8 bytes as well.
      await expect(kv.put('bigger-text', 'x'.repeat(LIMITS.valueMaxBytes + 1))).rejects.toMatchObject({ code: 'VALUE_TOO_LARGE' });
      await kv.delete('big');
    });

    it('metadata: 1024 serialised bytes written, 1025 refused', async () => {
      const kv = await fresh();
      const meta = (bytes: number) => ({ a: 'x'.repeat(bytes - 8) });
      await kv.put('m', 'v', { metadata: meta(1024) });
      expect((await kv.getWithMetadata('m')).metadata).toEqual(meta(1024));
      await expect(kv.put('m2', 'v', { metadata: meta(1025) })).rejects.toMatchObject({
        code: 'METADATA_TOO_LARGE',
        details: { key: 'm2', limit: 1024, actual: 1025 },
      });
      expect(await kv.get('m2')).toBeNull();
    });

    it('expirationTtl 59 and expiration now+59 refused; 60 and now+60 written', async () => {
      const kv = await fresh();
      const nowS = Math.floor(now / 1000);
      await expect(kv.put('t', 'v', { expirationTtl: 59 })).rejects.toMatchObject({ code: 'EXPIRATION_TTL_INVALID' });
      await expect(kv.put('t', 'v', { expiration: nowS + 59 })).rejects.toMatchObject({ code: 'EXPIRATION_INVALID' });
      expect(await kv.get('t')).toBeNull();
      await kv.put('ttl60', 'v', { expirationTtl: 60 });
      await kv.put('exp60', 'v', { expiration: nowS + 60 });
      expect((await kv.getEntry('ttl60'))?.expiration).toBe(nowS + 60);
      expect((await kv.getEntry('exp60'))?.expiration).toBe(nowS + 60);
    });

    it('cacheTtl on reads: 59 refused, 60 accepted', async () => {
      const kv = await fresh();
      await kv.put('c', 'v');
      await expect(kv.get('c', { cacheTtl: 59 })).rejects.toMatchObject({ code: 'CACHE_TTL_INVALID' });
      await expect(kv.get('c', 'text', { cacheTtl: 59 })).rejects.toMatchObject({ code: 'CACHE_TTL_INVALID' });
      await expect(kv.getWithMetadata('c', { cacheTtl: 59 })).rejects.toMatchObject({ code: 'CACHE_TTL_INVALID' });
      expect(await kv.get('c', { cacheTtl: 60 })).toBe('v');
      expect(await kv.get('c', 'text', { cacheTtl: 60 })).toBe('v');
    });

    it('reads and deletes validate the key too', async () => {
      const kv = await fresh();
      await expect(kv.get('')).rejects.toMatchObject({ code: 'KEY_EMPTY' });
      await expect(kv.delete('.')).rejects.toMatchObject({ code: 'KEY_RESERVED' });
      await expect(kv.get('x'.repeat(513))).rejects.toMatchObject({ code: 'KEY_TOO_LONG' });
    });
  });

  describe('expiry on the injected clock', () => {
    it('a key is live until its expiration second, then gone from get, getWithMetadata, list and info', async () => {
      now = START_MS;
      const kv = await fresh();
      await kv.put('short', 'v', { expirationTtl: 60, metadata: { m: 1 } });
      await kv.put('long', 'v', { expirationTtl: 3600 });
      await kv.put('forever', 'v');
      const expiresAt = Math.floor(START_MS / 1000) + 60;

      now = expiresAt * 1000 - 1;
      expect(await kv.get('short')).toBe('v');
      expect((await kv.list()).keys.map((k) => k.name)).toEqual(['forever', 'long', 'short']);
      expect((await kv.list()).keys.find((k) => k.name === 'short')).toEqual({ name: 'short', expiration: expiresAt, metadata: { m: 1 } });

      now = expiresAt * 1000;
      expect(await kv.get('short')).toBeNull();
      expect(await kv.getWithMetadata('short')).toEqual({ value: null, metadata: null });
      expect(await kv.getEntry('short')).toBeNull();
      expect((await kv.list()).keys.map((k) => k.name)).toEqual(['forever', 'long']);
      expect((await kv.list({ prefix: 'sh' })).keys).toEqual([]);
      const info = await kv.namespaceInfo();
      expect(info.keyCount).toBe(2);

      now = START_MS + 3600_000;
      expect((await kv.list()).keys.map((k) => k.name)).toEqual(['forever']);
      // Deleting an expired key reports that it did not exist.
      expect(await kv.delete('long')).toBe(false);
      now = START_MS;
    });

    it('an expired key can be written again and is live again', async () => {
      now = START_MS;
      const kv = await fresh();
      await kv.put('k', 'old', { expirationTtl: 60 });
      now = START_MS + 61_000;
      expect(await kv.get('k')).toBeNull();
      await kv.put('k', 'new');
      expect(await kv.get('k')).toBe('new');
      now = START_MS;
    });

    it('pagination skips expired keys without short pages ending the listing early', async () => {
      now = START_MS;
      const kv = await fresh();
      for (let i = 0; i < 30; i++) {
        const key = `k${String(i).padStart(2, '0')}`;
        await kv.put(key, 'v', i % 3 === 0 ? {} : { expirationTtl: 60 });
      }
      now = START_MS + 120_000;
      const seen: string[] = [];
      let cursor: string | undefined;
      for (;;) {
        const page = await kv.list({ limit: 3, ...(cursor ? { cursor } : {}) });
        seen.push(...page.keys.map((k) => k.name));
        if (page.list_complete) break;
        cursor = page.cursor;
      }
      expect(seen).toEqual(['k00', 'k03', 'k06', 'k09', 'k12', 'k15', 'k18', 'k21', 'k24', 'k27']);
      now = START_MS;
    });
    it('counts expired keys in info until a sweep deletes them', async () => {
      now = START_MS;
      const kv = await fresh();
      await kv.put('short', 'v', { expirationTtl: 60 });
      await kv.put('long', 'v', { expirationTtl: 3600 });
      now += 61_000;
      expect(await kv.get('short')).toBeNull();
      expect((await kv.list()).keys.map((k) => k.name)).toEqual(['long']);
      expect(await kv.delete('short')).toBe(false);
      await kv.put('short2', 'v', { expirationTtl: 60 });
      now += 61_000;
      expect(await kv.namespaceInfo()).toMatchObject({ keyCount: 1, expiredKeys: 1 });
      expect((await kv.sweep()).deleted).toBe(1);
      expect((await kv.namespaceInfo()).expiredKeys).toBe(0);
      now = START_MS;
    });
  });

  describe('list', () => {
    // Byte order of UTF-8 (= code point order), which is not UTF-16 order: U+FFFF sorts
    // before the astral '😀' in UTF-8, after it in JS's default string sort.
    const KEYS = [
      'a',
      'a/b',
      'a/b/c',
      'a b',
      'aa',
      'B',
      'z',
      'é',
      'éa',
      'ê',
      '\uFFFF',
      '\uFFFFz',
      '😀',
      '😀a',
      '😀😀',
      '😁',
      '\u{10FFFF}',
      '\u{10FFFF}a',
    ];
    const byteOrder = [...KEYS].sort((x, y) => Buffer.compare(Buffer.from(x), Buffer.from(y)));
    let kv: KV;

    beforeAll(async () => {
      kv = await fresh();
      for (const key of KEYS) await kv.put(key, `v:${key}`, key === 'a/b' ? { metadata: { n: 1 } } : {});
    });

    async function pages(options: { prefix?: string; limit: number }): Promise<string[][]> {
      const result: string[][] = [];
      let cursor: string | undefined;
      for (;;) {
        const page = await kv.list({ ...options, ...(cursor ? { cursor } : {}) });
        result.push(page.keys.map((k) => k.name));
        if (page.list_complete) {
          expect(page.cursor).toBeUndefined();
          return result;
        }
        expect(typeof page.cursor).toBe('string');
        cursor = page.cursor;
      }
    }

    it('lists every key in UTF-8 byte order, with metadata and without values', async () => {
      const result = await kv.list();
      expect(result.list_complete).toBe(true);
      expect(result.keys.map((k) => k.name)).toEqual(byteOrder);
      expect(byteOrder.indexOf('\uFFFF')).toBeLessThan(byteOrder.indexOf('😀'));
      expect(result.keys.find((k) => k.name === 'a/b')).toEqual({ name: 'a/b', metadata: { n: 1 } });
      expect(result.keys.find((k) => k.name === 'z')).toEqual({ name: 'z' });
    });

    it('pages with cursors: every key exactly once, pages full until the last', async () => {
      for (const limit of [1, 2, 5, 17, 18, 19]) {
        const all = await pages({ limit });
        expect(all.flat()).toEqual(byteOrder);
        for (const page of all.slice(0, -1)) expect(page).toHaveLength(limit);
      }
    });

    it('an exactly full last page says list_complete without an extra empty page', async () => {
      const result = await kv.list({ limit: KEYS.length });
      expect(result.keys).toHaveLength(KEYS.length);
      expect(result.list_complete).toBe(true);
      expect(result.cursor).toBeUndefined();
    });

    it('filters by prefix, also multi-byte and astral prefixes, across pages', async () => {
      const expectations: Record<string, string[]> = {
        a: ['a', 'a b', 'a/b', 'a/b/c', 'aa'],
        'a/': ['a/b', 'a/b/c'],
        é: ['é', 'éa'],
        '\uFFFF': ['\uFFFF', '\uFFFFz'],
        '😀': ['😀', '😀a', '😀😀'],
        '\u{10FFFF}': ['\u{10FFFF}', '\u{10FFFF}a'],
        '😀😀': ['😀😀'],
        nothing: [],
      };
      for (const [prefix, expected] of Object.entries(expectations)) {
        expect(
          (await kv.list({ prefix })).keys.map((k) => k.name),
          prefix,
        ).toEqual(expected);
        for (const limit of [1, 2]) {
          const all = await pages({ prefix, limit });
          expect(all.flat(), `${prefix} by ${limit}`).toEqual(expected);
        }
      }
    });

    it('a prefix with a lone surrogate is refused rather than matching nothing silently', async () => {
      await expect(kv.list({ prefix: '\uD83D' })).rejects.toMatchObject({ code: 'KEY_INVALID' });
    });

    it('a cursor means "after this key": keys written between pages are not skipped', async () => {
      const local = await fresh();
      for (const key of ['b', 'd', 'f']) await local.put(key, 'v');
      const first = await local.list({ limit: 1 });
      expect(first.keys.map((k) => k.name)).toEqual(['b']);
      await local.put('c', 'v');
      await local.delete('d');
      const rest = await local.list({ cursor: first.cursor as string });
      expect(rest.keys.map((k) => k.name)).toEqual(['c', 'f']);
    });

    it('refuses limits outside 1..1000 and foreign cursors', async () => {
      await expect(kv.list({ limit: 0 })).rejects.toMatchObject({ code: 'LIST_LIMIT_INVALID' });
      await expect(kv.list({ limit: 1001 })).rejects.toMatchObject({ code: 'LIST_LIMIT_INVALID' });
      await expect(kv.list({ cursor: 'not a cursor!' })).rejects.toMatchObject({ code: 'CURSOR_INVALID' });
    });

    it('listAll walks every page', async () => {
      const seen: string[] = [];
      for await (const page of kv.listAll({ pageSize: 4 })) seen.push(...page.map((k) => k.name));
      expect(seen).toEqual(byteOrder);
      const under: string[] = [];
      for await (const page of kv.listAll({ prefix: '😀', pageSize: 1 })) under.push(...page.map((k) => k.name));
      expect(under).toEqual(['😀', '😀a', '😀😀']);
    });
    it('pages with a cursor under a prefix, each key with its own metadata', async () => {
      const local = await fresh();
      const keys = Array.from({ length: 25 }, (_, i) => `user:${String(i).padStart(2, '0')}`);
      for (const key of [...keys].reverse()) await local.put(key, 'v', { metadata: { i: key } });
      await local.put('other', 'v');
      const seen: string[] = [];
      let cursor: string | undefined;
      let pageCount = 0;
      do {
        const page = await local.list({ prefix: 'user:', limit: 10, ...(cursor ? { cursor } : {}) });
        pageCount++;
        seen.push(...page.keys.map((k) => k.name));
        expect(page.keys.every((k) => (k.metadata as { i: string }).i === k.name)).toBe(true);
        cursor = page.list_complete ? undefined : page.cursor;
      } while (cursor);
      expect(seen).toEqual(keys);
      expect(pageCount).toBe(3);
      expect((await collect(local.listAll())).map((k) => k.name)).toEqual(['other', ...keys]);
    });
  });

  describe('bulk', () => {
    it('writes many entries in batches and reads them back with scan and getEntries', async () => {
      const kv = await fresh();
      const expiration = Math.floor(now / 1000) + 86_400;
      const entries: StoredEntry[] = [];
      for (let i = 0; i < 12_345; i++) {
        const key = `k${String(i).padStart(6, '0')}`;
        const value = i % 1000 === 7 ? Buffer.from([0xff, 0, i & 0xff]) : `value ${i}`;
        entries.push(
          await kv.prepareEntry(key, value, {
            ...(i % 3 === 0 ? { metadata: { i } } : {}),
            ...(i % 5 === 0 ? { expiration } : {}),
          }),
        );
      }
      const writer = await backend.bulkWriter(kv.name);
      let written = 0;
      for (let i = 0; i < entries.length; i += 4000) {
        const result = await writer.write(entries.slice(i, i + 4000));
        expect(result.unsuccessfulKeys).toEqual([]);
        written += result.written;
      }
      await writer.commit();
      expect(written).toBe(entries.length);
      const scanned = await collect(backend.scan(kv.name));
      expect(scanned).toHaveLength(entries.length);
      for (const i of [0, 7, 1007, 3, 5, 12_344]) {
        const got = scanned[i]!;
        const want = entries[i]!;
        expect(got.key).toBe(want.key);
        expect(Buffer.from(got.value)).toEqual(Buffer.from(want.value));
        expect(got.metadata).toBe(want.metadata);
        expect(got.expiration).toBe(want.expiration);
      }
      const prefixed = await collect(backend.scan(kv.name, { prefix: 'k00001' }));
      expect(prefixed.map((e) => e.key)).toEqual(entries.slice(10, 20).map((e) => e.key));
      const some = await kv.getEntries(['k000007', 'nope', 'k000003']);
      expect(some.map((e) => e && Buffer.from(e.value).toString('hex'))).toEqual(['ff0007', null, Buffer.from('value 3').toString('hex')]);
      expect(some[2]!.metadata).toEqual({ i: 3 });
      expect(await kv.deleteMany(entries.map((e) => e.key).concat(['never-was']))).toBe(entries.length);
      expect((await kv.namespaceInfo()).keyCount).toBe(0);
    });

    it('refuses a bulk write to a missing namespace', async () => {
      await expect(backend.bulkWriter('no-such-namespace')).rejects.toBeInstanceOf(NamespaceNotFoundError);
    });
  });

  describe('namespaces', () => {
    it('new KV() is the default namespace, new KV(name) a handle on that name', () => {
      expect(new KV(undefined, { backend }).name).toBe('default');
      expect(new KV('users', { backend }).name).toBe('users');
      expect(() => new KV('bad/name', { backend })).toThrow(ValidationError);
    });

    it('the default namespace always opens and is listed', async () => {
      expect((await KV.open('default', { backend })).name).toBe('default');
      expect(await KV.listNamespaces({ backend })).toContain('default');
    });

    it('open: a missing namespace throws NamespaceNotFoundError (exit 3)', async () => {
      await expect(KV.open('never-created', { backend })).rejects.toBeInstanceOf(NamespaceNotFoundError);
      await expect(KV.open('never-created', { backend })).rejects.toMatchObject({ exitCode: 3, details: { namespace: 'never-created' } });
    });

    it('create, list, info, delete', async () => {
      const name = `ns-${Date.now().toString(36)}`;
      const kv = await KV.create(name, { backend, clock });
      expect(await KV.listNamespaces({ backend })).toContain(name);
      await expect(KV.create(name, { backend })).rejects.toBeInstanceOf(NamespaceExistsError);
      await expect(KV.create('default', { backend })).rejects.toMatchObject({ code: 'NAMESPACE_EXISTS', exitCode: 4 });

      await kv.put('ab', 'xyz');
      await kv.put('é', new Uint8Array(10), { metadata: { k: 1 } });
      expect(await kv.namespaceInfo()).toEqual({
        name,
        keyCount: 2,
        // key + value + metadata bytes: (2 + 3) + (2 + 10 + 7)
        storedBytes: 24,
        expiredKeys: 0,
      });

      await KV.delete(name, { backend });
      expect(await KV.listNamespaces({ backend })).not.toContain(name);
      await expect(KV.open(name, { backend })).rejects.toBeInstanceOf(NamespaceNotFoundError);
      await expect(kv.get('ab')).rejects.toBeInstanceOf(NamespaceNotFoundError);
      await expect(KV.delete(name, { backend })).rejects.toBeInstanceOf(NamespaceNotFoundError);
      // The name is free again, and the new namespace starts empty.
      const again = await KV.create(name, { backend });
      expect((await again.list()).keys).toEqual([]);
    });

    it('namespaces are isolated', async () => {
      const one = await fresh();
      const two = await fresh();
      await one.put('same', 'one');
      await two.put('same', 'two');
      expect(await one.get('same')).toBe('one');
      expect(await two.get('same')).toBe('two');
      await KV.delete(one.name, { backend });
      expect(await two.get('same')).toBe('two');
    });

    it('writing to a missing namespace fails with NamespaceNotFoundError and creates nothing; reads and lists fail alike', async () => {
      const ghost = new KV('ghost-ns', { backend });
      await expect(ghost.put('k', 'v')).rejects.toBeInstanceOf(NamespaceNotFoundError);
      expect(await KV.listNamespaces({ backend })).not.toContain('ghost-ns');
      await expect(ghost.get('k')).rejects.toBeInstanceOf(NamespaceNotFoundError);
      await expect(ghost.list()).rejects.toBeInstanceOf(NamespaceNotFoundError);
    });

    it.runIf(target.supports('namespace-rename'))('renames, keeping the keys; the old name is gone', async () => {
      const name = (await fresh()).name;
      await (await KV.open(name, { backend })).put('k', 'v');
      const renamed = `${name}-renamed`;
      await KV.renameNamespace(name, renamed, { backend });
      await expect(KV.open(name, { backend })).rejects.toBeInstanceOf(NamespaceNotFoundError);
      expect(await (await KV.open(renamed, { backend })).get('k')).toBe('v');
      await KV.delete(renamed, { backend });
      await expect(KV.open(renamed, { backend })).rejects.toBeInstanceOf(NamespaceNotFoundError);
      expect(await KV.listNamespaces({ backend })).not.toContain(renamed);
    });

    it.runIf(target.supports('namespace-rename'))('refuses to rename onto an existing namespace or from a missing one', async () => {
      const a = (await fresh()).name;
      const b = (await fresh()).name;
      await expect(KV.renameNamespace(a, b, { backend })).rejects.toBeInstanceOf(NamespaceExistsError);
      await expect(KV.renameNamespace('missing-ns-x', `${a}-z`, { backend })).rejects.toBeInstanceOf(NamespaceNotFoundError);
    });

    it('refuses to delete a missing namespace', async () => {
      await expect(KV.delete('missing-ns-x', { backend })).rejects.toBeInstanceOf(NamespaceNotFoundError);
    });

    it.skipIf(target.supports('namespace-rename'))('says clearly that a namespace cannot be renamed here', async () => {
      const a = (await fresh()).name;
      await expect(KV.renameNamespace(a, `${a}-z`, { backend })).rejects.toThrow(/cannot rename a namespace/);
    });

    it('lists names in byte order', async () => {
      const names = await KV.listNamespaces({ backend });
      expect([...names].sort((x, y) => Buffer.compare(Buffer.from(x), Buffer.from(y)))).toEqual(names);
    });

    it('info counts stored bytes as key + value + serialised metadata', async () => {
      const kv = await fresh();
      await kv.put('ab', 'xyz');
      await kv.put('c', 'd', { metadata: { m: 1 } });
      const info = await kv.namespaceInfo();
      expect(info).toMatchObject({ name: kv.name, keyCount: 2, expiredKeys: 0 });
      expect(info.storedBytes).toBe(2 + 3 + 1 + 1 + JSON.stringify({ m: 1 }).length);
    });

    it('rejects invalid names before touching the store', async () => {
      await expect(KV.open('.hidden', { backend })).rejects.toMatchObject({ code: 'NAMESPACE_NAME_INVALID' });
      await expect(KV.delete('a/b', { backend })).rejects.toMatchObject({ code: 'NAMESPACE_NAME_INVALID' });
    });
  });
});

describe('new KV() without a backend', () => {
  it('uses the local store in KVADM_DATA_DIR', async () => {
    const kv = new KV();
    expect(kv.name).toBe('default');
    expect(kv.backend.kind).toBe('local');
    expect(kv.backend.location).toBe(process.env.KVADM_DATA_DIR);
    await kv.put('hello', 'world');
    expect(await new KV('default').get('hello')).toBe('world');
    await kv.backend.close();
  });
});
