// The HTTP backend's manners on a bad day: retries with backoff on 429 (honouring
// Retry-After), 5xx and connection errors; bulk keys refused by the write limit sent
// again; credentials never in messages; names resolved to ids by title.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HttpBackend } from '../../src/lib/backends/http.js';
import { AuthError, NamespaceNotFoundError, UnreachableError } from '../../src/lib/errors.js';
import { KV } from '../../src/lib/kv.js';
import { type ServeProcess, startServe } from '../serve-process.js';

/** A scripted server on 127.0.0.1: answers each request with the next canned response. */
async function scripted(
  responses: Array<{ status: number; headers?: Record<string, string>; body: unknown }>,
): Promise<{ url: string; requests: string[]; close: () => Promise<void> }> {
  const requests: string[] = [];
  const server = http.createServer((req, res) => {
    requests.push(`${req.method} ${req.url}`);
    const next = responses.shift() ?? { status: 500, body: { success: false, errors: [{ code: 1, message: 'script ended' }] } };
    req.resume();
    req.on('end', () => {
      res.writeHead(next.status, { 'content-type': 'application/json', ...next.headers });
      res.end(JSON.stringify(next.body));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/client/v4`,
    requests,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

const ok = (result: unknown, extra: Record<string, unknown> = {}) => ({
  status: 200,
  body: { success: true, errors: [], messages: [], result, ...extra },
});
const fail = (status: number, code: number, message: string, headers?: Record<string, string>) => ({
  status,
  ...(headers ? { headers } : {}),
  body: { success: false, errors: [{ code, message }], messages: [], result: null },
});

describe('HttpBackend retries', () => {
  it('retries 503 and 429 with growing, jittered backoff and honours Retry-After', async () => {
    const server = await scripted([
      fail(503, 10001, 'busy'),
      fail(429, 10117, 'slow down', { 'retry-after': '3' }),
      ok({ id: 'default', title: 'default' }),
    ]);
    const waits: number[] = [];
    const backend = new HttpBackend({ url: server.url, sleep: async (ms) => void waits.push(ms), random: () => 0.5 });
    try {
      expect(await backend.namespaceExists('default')).toBe(true);
      expect(server.requests).toHaveLength(3);
      expect(waits[0]).toBe(250);
      expect(waits[1]).toBeGreaterThanOrEqual(3000);
    } finally {
      await backend.close();
      await server.close();
    }
  });

  it('gives up after its retries: 503 is unreachable (exit 6), a closed port too', async () => {
    const server = await scripted([fail(503, 10001, 'busy'), fail(503, 10001, 'busy'), fail(503, 10001, 'busy')]);
    const backend = new HttpBackend({ url: server.url, retries: 2, sleep: async () => undefined });
    try {
      const error = await backend.listNamespaces().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(UnreachableError);
      expect((error as UnreachableError).exitCode).toBe(6);
      expect(server.requests).toHaveLength(3);
    } finally {
      await backend.close();
      await server.close();
    }
    const closed = new HttpBackend({ url: 'http://127.0.0.1:9/client/v4', retries: 1, sleep: async () => undefined });
    await expect(closed.listNamespaces()).rejects.toThrow(/cannot reach http:\/\/127\.0\.0\.1:9\/client\/v4 .* after 2 attempts/);
    await closed.close();
  });

  it('maps 401 to AuthError without the token', async () => {
    const server = await scripted([fail(401, 10000, 'Authentication error')]);
    const backend = new HttpBackend({ url: server.url, token: 'very-secret-token' });
    try {
      const error = (await backend.listNamespaces().catch((e: unknown) => e)) as AuthError;
      expect(error).toBeInstanceOf(AuthError);
      expect(error.exitCode).toBe(5);
      expect(`${error.message} ${error.hint}`).not.toContain('very-secret-token');
    } finally {
      await backend.close();
      await server.close();
    }
  });

  it('resolves a namespace name to the id whose title it is (a Cloudflare account)', async () => {
    const server = await scripted([
      fail(404, 10013, 'namespace not found'),
      ok([
        { id: '0f2ac74b498b48028cb68387c421e279', title: 'users' },
        { id: 'aaaa', title: 'other' },
      ]),
      ok([], { result_info: { count: 0, cursor: '' } }),
      ok([], { result_info: { count: 0, cursor: '' } }),
    ]);
    const backend = new HttpBackend({ url: server.url, account: 'acc1' });
    try {
      const kv = await KV.open('users', { backend });
      expect((await kv.list()).keys).toEqual([]);
      expect((await kv.list()).keys).toEqual([]);
      expect(server.requests).toEqual([
        'GET /client/v4/accounts/acc1/storage/kv/namespaces/users',
        'GET /client/v4/accounts/acc1/storage/kv/namespaces?page=1&per_page=100',
        'GET /client/v4/accounts/acc1/storage/kv/namespaces/0f2ac74b498b48028cb68387c421e279/keys?limit=1000',
        'GET /client/v4/accounts/acc1/storage/kv/namespaces/0f2ac74b498b48028cb68387c421e279/keys?limit=1000',
      ]);
    } finally {
      await backend.close();
      await server.close();
    }
  });

  it('reports bulk keys still refused after its retries, and what was written', async () => {
    const refused = ok({ successful_key_count: 1, unsuccessful_keys: ['stubborn'] });
    const server = await scripted([ok({ id: 'default', title: 'default' }), refused, { ...refused }, { ...refused }]);
    const waits: number[] = [];
    const backend = new HttpBackend({ url: server.url, retries: 2, sleep: async (ms) => void waits.push(ms), random: () => 0.5 });
    try {
      const kv = new KV('default', { backend });
      const writer = await backend.bulkWriter('default');
      const result = await writer.write([await kv.prepareEntry('stubborn', 'v'), await kv.prepareEntry('fine', 'v')]);
      expect(result).toEqual({ written: 1, unsuccessfulKeys: ['stubborn'] });
      expect(server.requests.filter((r) => r.startsWith('PUT'))).toHaveLength(3);
      expect(waits).toEqual([1000, 2000]);
    } finally {
      await backend.close();
      await server.close();
    }
  });

  it('reports a name that is neither an id nor a title as a missing namespace', async () => {
    const server = await scripted([fail(404, 10013, 'namespace not found'), ok([])]);
    const backend = new HttpBackend({ url: server.url });
    try {
      await expect(KV.open('ghost', { backend })).rejects.toBeInstanceOf(NamespaceNotFoundError);
    } finally {
      await backend.close();
      await server.close();
    }
  });
});

describe('HttpBackend against kvadm serve with the write limit on', () => {
  let server: ServeProcess;
  beforeAll(async () => {
    server = await startServe(['--quiet']);
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('waits out a 429 on a rewrite of the same key and succeeds', async () => {
    const backend = new HttpBackend({ url: server.url });
    try {
      const kv = new KV('default', { backend });
      await kv.put('hot', 'one');
      await kv.put('hot', 'two');
      expect(await kv.get('hot')).toBe('two');
    } finally {
      await backend.close();
    }
  });

  it('sends keys refused in a bulk write again until they go in', async () => {
    const backend = new HttpBackend({ url: server.url });
    try {
      const kv = new KV('default', { backend });
      await kv.put('bulk-hot', 'first');
      const writer = await backend.bulkWriter('default');
      const result = await writer.write([await kv.prepareEntry('bulk-hot', 'second'), await kv.prepareEntry('bulk-cold', 'v')]);
      expect(result).toEqual({ written: 2, unsuccessfulKeys: [] });
      expect(await kv.get('bulk-hot')).toBe('second');
    } finally {
      await backend.close();
    }
  });
});
