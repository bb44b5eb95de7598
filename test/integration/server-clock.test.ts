// The server in-process (real fastify, real SQLite, real sockets on 127.0.0.1) with an
// injected clock, for the rules that depend on time: the per-key write limit and expiry.
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalBackend } from '../../src/lib/backends/local.js';
import { buildApp } from '../../src/lib/server/app.js';
import { tempDir } from '../helpers.js';

describe('kvadm server with an injected clock', () => {
  let now = Date.UTC(2030, 0, 1);
  let app: FastifyInstance;
  let base = '';
  let backend: LocalBackend;
  const log: string[] = [];

  beforeAll(async () => {
    backend = new LocalBackend({ dataDir: tempDir('server'), clock: () => now });
    app = await buildApp({ backend, clock: () => now, accessLog: (line) => log.push(line), sweepIntervalMs: 0 });
    await app.listen({ host: '127.0.0.1', port: 0 });
    const address = app.server.address() as { port: number };
    base = `http://127.0.0.1:${address.port}/client/v4/accounts/acc/storage/kv/namespaces/default`;
  });
  afterAll(async () => {
    await app.close();
    await backend.close();
  });

  const put = (key: string, body: string, query = '') =>
    fetch(`${base}/values/${encodeURIComponent(key)}${query}`, { method: 'PUT', body });
  const bulk = (items: unknown[]) => fetch(`${base}/bulk`, { method: 'PUT', body: JSON.stringify(items) });

  it('allows one write per second to a key: 429 with Retry-After, then allowed again', async () => {
    expect((await put('k', 'one')).status).toBe(200);
    const refused = await put('k', 'two');
    expect(refused.status).toBe(429);
    expect(refused.headers.get('retry-after')).toBe('1');
    expect(await refused.json()).toMatchObject({ success: false, errors: [{ code: 10117 }] });
    expect((await put('other', 'x')).status).toBe(200);
    now += 1000;
    expect((await put('k', 'three')).status).toBe(200);
    expect(await (await fetch(`${base}/values/k`)).text()).toBe('three');
  });

  it('reports keys of a bulk write that hit the limit as unsuccessful, and writes the rest', async () => {
    now += 5000;
    expect((await put('hot', 'v')).status).toBe(200);
    const response = await bulk([
      { key: 'hot', value: 'again' },
      { key: 'cold', value: 'v' },
      { key: 'cold', value: 'v2' },
    ]);
    expect(await response.json()).toMatchObject({ success: true, result: { successful_key_count: 2, unsuccessful_keys: ['hot'] } });
    expect(await (await fetch(`${base}/values/hot`)).text()).toBe('v');
    expect(await (await fetch(`${base}/values/cold`)).text()).toBe('v2');
  });

  it('checks expirations against its own clock and hides expired keys', async () => {
    now += 5000;
    const nowSeconds = Math.floor(now / 1000);
    expect((await put('late', 'v', `?expiration=${nowSeconds + 59}`)).status).toBe(400);
    expect((await put('ttl', 'v', '?expiration_ttl=60')).status).toBe(200);
    const read = await fetch(`${base}/values/ttl`);
    expect(read.headers.get('expiration')).toBe(String(nowSeconds + 60));
    // expiration_ttl wins over expiration when both are given.
    expect((await put('both', 'v', `?expiration=${nowSeconds + 5000}&expiration_ttl=120`)).status).toBe(200);
    expect((await fetch(`${base}/values/both`)).headers.get('expiration')).toBe(String(nowSeconds + 120));
    now += 61_000;
    const gone = await fetch(`${base}/values/ttl`);
    expect(gone.status).toBe(404);
    expect(await gone.json()).toMatchObject({ success: false, errors: [{ code: 10009 }] });
    const keys = (await (await fetch(`${base}/keys`)).json()) as { result: Array<{ name: string }> };
    expect(keys.result.map((k) => k.name)).not.toContain('ttl');
  });

  it('writes one access-log line per request, without query strings or credentials', async () => {
    log.length = 0;
    await fetch(`${base}/keys?prefix=secret`, { headers: { authorization: 'Bearer hunter2' } });
    expect(log).toHaveLength(1);
    expect(log[0]).toMatch(/ GET \/client\/v4\/accounts\/acc\/storage\/kv\/namespaces\/default\/keys 200 [\d.]+ms\n$/);
    expect(log[0]).not.toContain('hunter2');
    expect(log[0]).not.toContain('secret');
  });
});
