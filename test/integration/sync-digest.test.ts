// kvadm serve's digest listing (GET …/keys?digest=true) and how diff and sync use it: a remote
// side's values compared by digest instead of downloaded, and the bulk-get path again when a
// service ignores the parameter. Real server, real SQLite, a real node:http proxy in between
// that counts requests and, when told to, removes the field as another service would.
import { createHash } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { HttpBackend } from '../../src/lib/backends/http.js';
import { LocalBackend } from '../../src/lib/backends/local.js';
import { buildApp } from '../../src/lib/server/app.js';
import { diffStores } from '../../src/lib/sync/diff.js';
import { syncStores } from '../../src/lib/sync/sync.js';
import { tempDir } from '../helpers.js';

const expectedDigest = (bytes: Buffer) => createHash('sha256').update(bytes).digest('base64url').slice(0, 22);
const BINARY = Buffer.from([0xff, 0x00, 0xfe, 0x80, 0x41]);

/**
 * A proxy to `target` that counts requests by route; with `strip` it drops `digest` from listed keys
 * (as a service that ignores the parameter), with `listMax` it refuses larger listing pages as a
 * kvadm serve older than digest pages of 10,000 did.
 */
async function proxy(target: string) {
  const state = { strip: false, listMax: 10_000, requests: [] as string[], listLimits: [] as number[] };
  const server = http.createServer((req, res) => {
    state.requests.push(`${req.method} ${(req.url ?? '').replace(/\?.*/, '').replace(/.*\/namespaces\/[^/]+/, '')}`);
    if (req.method === 'GET' && /\/keys(\?|$)/.test(req.url ?? '')) {
      const limit = Number(new URL(req.url ?? '', 'http://x').searchParams.get('limit'));
      state.listLimits.push(limit);
      if (limit > state.listMax) {
        const message = `invalid list limit ${limit}: it must be 1 to ${state.listMax}`;
        res.writeHead(400, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ success: false, errors: [{ code: 10112, message }], messages: [], result: null }));
        return;
      }
    }
    const upstream = http.request(`${target}${req.url}`, { method: req.method, headers: req.headers }, (answer) => {
      const listing = /\/keys(\?|$)/.test(req.url ?? '') && req.method === 'GET';
      if (!listing || !state.strip) {
        res.writeHead(answer.statusCode ?? 500, answer.headers);
        answer.pipe(res);
        return;
      }
      const chunks: Buffer[] = [];
      answer.on('data', (chunk: Buffer) => chunks.push(chunk));
      answer.on('end', () => {
        const body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
        for (const key of body.result ?? []) delete key.digest;
        const text = JSON.stringify(body);
        res.writeHead(answer.statusCode ?? 500, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
        res.end(text);
      });
    });
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/client/v4`, state, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

describe('digest listing', () => {
  let app: FastifyInstance;
  let served: LocalBackend;
  let local: LocalBackend;
  let remote: HttpBackend;
  let origin = '';
  let front: Awaited<ReturnType<typeof proxy>>;

  beforeAll(async () => {
    served = new LocalBackend({ dataDir: tempDir('digest-served') });
    app = await buildApp({ backend: served, sweepIntervalMs: 0 });
    await app.listen({ host: '127.0.0.1', port: 0 });
    origin = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
    front = await proxy(origin);
    local = new LocalBackend({ dataDir: tempDir('digest-local') });
    remote = new HttpBackend({ url: front.url });
  });
  afterAll(async () => {
    await remote.close();
    await front.close();
    await app.close();
    await served.close();
    await local.close();
  });
  beforeEach(() => {
    front.state.strip = false;
    front.state.listMax = 10_000;
  });

  it('lists each key with the digest of its value bytes only when asked', async () => {
    await served.createNamespace('route');
    await served.put('route', { key: 'bin', value: BINARY, expiration: null, metadata: '{"a":1}' });
    await served.put('route', { key: 'text', value: Buffer.from('héllo'), expiration: null, metadata: null });
    type Listing = { result: Array<{ name: string; digest?: string }>; result_info: { cursor: string } };
    const listing = async (url: string) => (await (await fetch(url)).json()) as Listing;
    const keys = `${origin}/client/v4/accounts/x/storage/kv/namespaces/route/keys`;
    const plain = await listing(keys);
    expect(plain.result).toEqual([{ name: 'bin', metadata: { a: 1 } }, { name: 'text' }]);
    const digested = await listing(`${keys}?digest=true&limit=1`);
    expect(digested.result).toEqual([{ name: 'bin', metadata: { a: 1 }, digest: expectedDigest(BINARY) }]);
    const next = await listing(`${keys}?digest=true&cursor=${digested.result_info.cursor}`);
    expect(next.result).toEqual([{ name: 'text', digest: expectedDigest(Buffer.from('héllo')) }]);
    expect(next.result[0]?.digest).toMatch(/^[A-Za-z0-9_-]{22}$/);
    // Pages of up to 10,000 keys with digests; a plain listing stays at 1,000.
    expect((await fetch(`${keys}?digest=true&limit=10000`)).status).toBe(200);
    for (const query of ['digest=true&limit=10001', 'limit=1001']) {
      const refused = await fetch(`${keys}?${query}`);
      expect(refused.status, query).toBe(400);
      expect(((await refused.json()) as { errors: { message: string }[] }).errors[0]?.message).toMatch(
        query.startsWith('digest') ? /1 to 10000/ : /1 to 1000\b/,
      );
    }
  });

  it('a listing with digests asks for pages of 10,000 once the server has given every key its digest; without digests it stays at 1,000', async () => {
    const entries = Array.from({ length: 25_000 }, (_, i) => ({
      key: `k${String(i).padStart(6, '0')}`,
      value: Buffer.from(`value ${i}`),
      expiration: null,
      metadata: null,
    }));
    for (const backend of [local, served]) {
      await backend.createNamespace('paged');
      const writer = await backend.bulkWriter('paged');
      await writer.write(entries);
      await writer.commit();
    }
    const src = { backend: local, namespace: 'paged', label: 'paged' };
    const dst = { backend: remote, namespace: 'paged', label: 'served:paged' };
    for (const strip of [false, true]) {
      front.state.strip = strip;
      front.state.listLimits.length = 0;
      expect((await diffStores(src, dst)).counts).toEqual({ added: 0, removed: 0, changed: 0, same: 25_000 });
      expect(front.state.listLimits, strip ? 'digests stripped' : 'digests given').toEqual(
        strip ? Array(25).fill(1000) : [1000, 10_000, 10_000, 10_000],
      );
    }
    // A server that gives digests but refuses pages over 1,000 (an older kvadm serve): asked again with 1,000, and no larger page after.
    front.state.strip = false;
    front.state.listMax = 1000;
    front.state.listLimits.length = 0;
    expect((await diffStores(src, dst)).counts).toEqual({ added: 0, removed: 0, changed: 0, same: 25_000 });
    expect(front.state.listLimits).toEqual([1000, 10_000, ...Array(24).fill(1000)]);
  });

  /** SRC (local) and DST (served): a is the same, b differs in value (binary), c only in SRC, d only in DST. */
  async function stores(name: string) {
    await local.createNamespace(name);
    await remote.createNamespace(name);
    const put = (backend: LocalBackend | HttpBackend, key: string, value: Buffer) =>
      backend.put(name, { key, value, expiration: null, metadata: null });
    await put(local, 'a', Buffer.from('same'));
    await put(remote, 'a', Buffer.from('same'));
    await put(local, 'b', BINARY);
    await put(remote, 'b', Buffer.from([0xff, 0x00, 0xfe, 0x80, 0x42]));
    await put(local, 'c', Buffer.from('new'));
    await put(remote, 'd', Buffer.from('extra'));
    return { src: { backend: local, namespace: name, label: name }, dst: { backend: remote, namespace: name, label: `served:${name}` } };
  }

  for (const strip of [false, true]) {
    const how = strip ? 'a service that ignores digest=true: values read through bulk get' : 'kvadm serve: no value downloaded';
    it(`diff and sync local → remote find the same differences (${how})`, async () => {
      const { src, dst } = await stores(strip ? 'stripped' : 'digested');
      front.state.strip = strip;
      front.state.requests.length = 0;
      const differences: string[] = [];
      const diff = await diffStores(src, dst, { onDifference: (d) => differences.push(`${d.kind} ${d.key} ${d.differs ?? ''}`) });
      expect(diff.counts).toEqual({ added: 1, removed: 1, changed: 1, same: 1 });
      expect(differences).toEqual(['changed b value', 'added c ', 'removed d ']);
      // And the other way round: a remote SRC is compared by digest too.
      const reverse = await diffStores(dst, src);
      expect(reverse.counts).toEqual({ added: 1, removed: 1, changed: 1, same: 1 });
      const synced = await syncStores(src, dst, { delete: true });
      // One bulk get per compare (three keys) without digests, none with them.
      expect(front.state.requests.filter((r) => r.endsWith('/bulk/get')).length).toBe(strip ? 3 : 0);
      expect(synced.plan).toMatchObject({ add: 1, change: 1, delete: 1, same: 1 });
      expect(synced.written).toBe(2);
      expect((await remote.get(dst.namespace, 'b'))?.value).toEqual(BINARY);
      expect((await diffStores(src, dst)).counts).toEqual({ added: 0, removed: 0, changed: 0, same: 3 });
      expect((await syncStores(src, dst)).written).toBe(0);
    });
  }
});
