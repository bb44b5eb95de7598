// `kvadm serve` as users run it: the real binary on port 0 with a temporary store.
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, tempDir } from '../helpers.js';
import { runCommand } from '../run-command.js';
import { type ServeProcess, startServe } from '../serve-process.js';

const TOKEN = 'serve-test-token';
const auth = { authorization: `Bearer ${TOKEN}` };

interface Envelope {
  success: boolean;
  errors: Array<{ code: number; message: string }>;
  result: unknown;
}

/** Open a socket to the server's host and port. */
function connect(url: string): Promise<net.Socket> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: hostname, port: Number(port) }, () => resolve(socket));
    socket.on('error', reject);
  });
}

/** Everything the server sends until it closes the socket (or `ms` pass). */
function readUntilClosed(socket: net.Socket, ms: number): Promise<{ data: string; closed: boolean }> {
  return new Promise((resolve) => {
    let data = '';
    const timer = setTimeout(() => resolve({ data, closed: false }), ms);
    socket.on('data', (chunk) => (data += chunk.toString('utf8')));
    socket.on('close', () => {
      clearTimeout(timer);
      resolve({ data, closed: true });
    });
  });
}

describe('kvadm serve', () => {
  let server: ServeProcess;
  let ns = '';
  const call = (path: string, init: RequestInit = {}) =>
    fetch(`${ns}${path}`, { ...init, headers: { ...auth, ...(init.headers as Record<string, string> | undefined) } });
  const envelope = async (response: Response) => (await response.json()) as Envelope;

  beforeAll(async () => {
    server = await startServe(['--no-write-limit', '--headers-timeout', '1'], { env: { KVADM_TOKEN: TOKEN } });
    ns = `${server.url}/accounts/any/storage/kv/namespaces/default`;
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('prints the bound URL (port 0 picks a free port) on stderr', () => {
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/client\/v4$/);
    expect(server.url).not.toMatch(/:0\//);
  });

  describe('auth', () => {
    it('answers 401 with code 10000 to a missing or wrong token, and serves the right one', async () => {
      const missing = await fetch(`${ns}/keys`);
      expect(missing.status).toBe(401);
      expect(await envelope(missing)).toMatchObject({ success: false, errors: [{ code: 10000 }] });
      const wrong = await fetch(`${ns}/keys`, { headers: { authorization: `Bearer ${TOKEN}x` } });
      expect(wrong.status).toBe(401);
      const basic = await fetch(`${ns}/keys`, { headers: { authorization: `Basic ${TOKEN}` } });
      expect(basic.status).toBe(401);
      const right = await call('/keys');
      expect(right.status).toBe(200);
      expect(await envelope(right)).toMatchObject({ success: true, result: [] });
    });

    it('maps to exit 5 for the CLI, without printing the token', async () => {
      const result = await runCli(['kv', 'get', 'k'], {
        env: { KVADM_BACKEND: 'http', KVADM_URL: server.url, KVADM_TOKEN: 'not-the-token' },
      });
      expect(result.code).toBe(5);
      expect(result.stderr).toContain('refused the credentials');
      expect(result.stderr).not.toContain('not-the-token');
    });
  });

  describe('limits', () => {
    it('refuses keys, values, metadata and TTLs over the limits with the protocol statuses and messages', async () => {
      const longKey = await call(`/values/${'k'.repeat(513)}`, { method: 'PUT', body: 'v' });
      expect(longKey.status).toBe(414);
      expect((await envelope(longKey)).errors[0]?.message).toBe('UTF-8 encoded length of 513 exceeds key length limit of 512.');

      const big = await call('/values/big', { method: 'PUT', body: Buffer.alloc(26_214_401, 0x61) });
      expect(big.status).toBe(413);
      expect((await envelope(big)).errors[0]?.message).toBe('Value length of 26214401 exceeds limit of 26214400.');

      const form = new FormData();
      form.append('value', 'v');
      form.append('metadata', JSON.stringify({ m: 'x'.repeat(1100) }));
      const meta = await call('/values/meta', { method: 'PUT', body: form });
      expect(meta.status).toBe(413);
      expect((await envelope(meta)).errors[0]?.message).toBe('Metadata length of 1108 exceeds limit of 1024.');

      const ttl = await call('/values/t?expiration_ttl=59', { method: 'PUT', body: 'v' });
      expect(ttl.status).toBe(400);
      expect((await envelope(ttl)).errors[0]?.message).toBe('Invalid expiration_ttl of 59. Expiration TTL must be at least 60.');

      const past = await call('/values/t?expiration=1000', { method: 'PUT', body: 'v' });
      expect(past.status).toBe(400);
      expect((await envelope(past)).errors[0]?.message).toBe(
        'Invalid expiration of 1000. Expiration times must be at least 60 seconds in the future.',
      );
      expect((await call('/values/t')).status).toBe(404);
    });

    it('takes at most 10,000 items per bulk request and 100 keys per bulk get', async () => {
      const items = Array.from({ length: 10_001 }, (_, i) => ({ key: `k${i}`, value: 'v' }));
      const tooMany = await call('/bulk', { method: 'PUT', body: JSON.stringify(items) });
      expect(tooMany.status).toBe(400);
      expect((await envelope(tooMany)).errors[0]?.message).toContain('at most 10000 items');
      const ok = await call('/bulk', { method: 'PUT', body: JSON.stringify(items.slice(0, 10_000)) });
      expect(await envelope(ok)).toMatchObject({ result: { successful_key_count: 10_000 } });
      const deleteTooMany = await call('/bulk/delete', { method: 'POST', body: JSON.stringify(items.map((i) => i.key)) });
      expect(deleteTooMany.status).toBe(400);
      const getTooMany = await call('/bulk/get', { method: 'POST', body: JSON.stringify({ keys: items.slice(0, 101).map((i) => i.key) }) });
      expect(getTooMany.status).toBe(400);
      const removed = await call('/bulk', { method: 'DELETE', body: JSON.stringify(items.slice(0, 10_000).map((i) => i.key)) });
      expect(await envelope(removed)).toMatchObject({ result: { successful_key_count: 10_000 } });
    });

    it('answers 413 to an oversize body from its Content-Length, before reading it', async () => {
      const socket = await connect(server.url);
      const path = new URL(`${ns}/bulk`).pathname;
      // Announce 200 MB and send none of it: the answer cannot have waited for the body.
      socket.write(
        `PUT ${path} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${TOKEN}\r\nContent-Type: application/json\r\nContent-Length: 200000000\r\n\r\n`,
      );
      const { data } = await readUntilClosed(socket, 20_000);
      socket.destroy();
      expect(data).toMatch(/^HTTP\/1\.1 413/);
      expect(data).toContain('exceeds the bulk limit of 100000000 bytes');
    });
  });

  describe('hostile input', () => {
    it('answers malformed bodies with a 400 envelope', async () => {
      const cases: Array<[string, RequestInit]> = [
        ['/bulk', { method: 'PUT', body: '[{"key":' }],
        ['/bulk', { method: 'PUT', body: '{"key":"a","value":"b"}' }],
        ['/bulk', { method: 'PUT', body: '[{"key":"a","value":"!!not base64","base64":true}]' }],
        ['/bulk', { method: 'PUT', body: '[{"key":"a"}]' }],
        ['/bulk', { method: 'PUT', body: '[{"key":"a","value":"v","metadata":{"x":1},"expiration_ttl":"soon"}]' }],
        ['/bulk', { method: 'PUT', body: '[42]' }],
        ['/bulk', { method: 'PUT' }],
        ['/bulk/delete', { method: 'POST', body: '[1,2]' }],
        ['/bulk/get', { method: 'POST', body: '{"keys":"a"}' }],
        ['/bulk/get', { method: 'POST', body: '{"keys":["a"],"type":"xml"}' }],
        ['/keys?limit=5000', {}],
        ['/keys?cursor=%%%', {}],
      ];
      for (const [path, init] of cases) {
        const response = await call(path, init);
        expect(response.status, `${init.method ?? 'GET'} ${path} ${String(init.body)}`).toBe(400);
        expect((await envelope(response)).success).toBe(false);
      }
      const namespaces = `${server.url}/accounts/any/storage/kv/namespaces`;
      for (const body of ['', '{', '{"title":5}', '{"title":"../etc"}']) {
        const response = await fetch(namespaces, { method: 'POST', headers: auth, body });
        expect(response.status, body).toBe(400);
      }
      const form = new FormData();
      form.append('value', 'v');
      form.append('metadata', '{not json');
      expect((await call('/values/m', { method: 'PUT', body: form })).status).toBe(400);
      const sdkStyle = new FormData();
      sdkStyle.append('value', 'v');
      sdkStyle.append('metadata[a]', '1');
      expect((await call('/values/m', { method: 'PUT', body: sdkStyle })).status).toBe(400);
    });

    it('refuses hostile keys and namespace names with a 4xx envelope, never a 500', async () => {
      const socket = async (rawPath: string): Promise<number> => {
        const s = await connect(server.url);
        s.write(`GET ${rawPath} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${TOKEN}\r\nConnection: close\r\n\r\n`);
        const { data } = await readUntilClosed(s, 10_000);
        s.destroy();
        return Number(/^HTTP\/1\.1 (\d+)/.exec(data)?.[1]);
      };
      const prefix = new URL(server.url).pathname;
      const keyPaths = ['.', '..', '%2e', '%2E%2E', 'a/b', '%E0%A4%A', '%ZZ', '%', '', 'k'.repeat(600), '%F0%9F%98'.repeat(1)];
      for (const key of keyPaths) {
        const status = await socket(`${prefix}/accounts/a/storage/kv/namespaces/default/values/${key}`);
        expect(status, key).toBeGreaterThanOrEqual(400);
        expect(status, key).toBeLessThan(500);
      }
      const names = ['..', '.hidden', 'a%2Fb', 'x'.repeat(65), '%E2%9C%93', '%00', 'a%20b', '%'];
      for (const name of names) {
        const status = await socket(`${prefix}/accounts/a/storage/kv/namespaces/${name}/keys`);
        expect(status, name).toBeGreaterThanOrEqual(400);
        expect(status, name).toBeLessThan(500);
      }
      // Encoded slashes are part of the key, decoded once: a%2Fb is the key "a/b", a%252Fb is "a%2Fb".
      expect((await call('/values/a%2Fb', { method: 'PUT', body: 'slash' })).status).toBe(200);
      expect((await call('/values/a%252Fb', { method: 'PUT', body: 'percent' })).status).toBe(200);
      expect(await (await call('/values/a%2Fb')).text()).toBe('slash');
      const keys = (await envelope(await call('/keys?prefix=a'))).result as Array<{ name: string }>;
      expect(keys.map((k) => k.name)).toEqual(['a%2Fb', 'a/b']);
      expect((await call('/keys')).status).toBe(200);
      expect(server.stderr()).not.toContain('internal error');
    });

    it('answers unknown namespaces with 404 code 10013 and unknown routes with a 404 envelope', async () => {
      const missing = await fetch(`${server.url}/accounts/a/storage/kv/namespaces/nope/values/k`, { headers: auth });
      expect(missing.status).toBe(404);
      expect((await envelope(missing)).errors[0]?.code).toBe(10013);
      const route = await fetch(`${server.url}/nothing/here`, { headers: auth });
      expect(route.status).toBe(404);
      expect((await envelope(route)).success).toBe(false);
    });

    it('closes the connection of a client that sends its headers too slowly', async () => {
      const socket = await connect(server.url);
      socket.write('GET /client/v4/accounts/a/storage/kv/namespaces HTTP/1.1\r\nHost: x\r\n');
      // One header byte every 200 ms: never finishing within --headers-timeout 1.
      const drip = setInterval(() => socket.writable && socket.write('X'), 200);
      const { closed } = await readUntilClosed(socket, 15_000);
      clearInterval(drip);
      socket.destroy();
      expect(closed).toBe(true);
    });
  });
});

describe('kvadm serve start-up and shutdown', () => {
  it('refuses to listen on a non-loopback address without a token', async () => {
    const result = await runCli(['serve', '--host', '0.0.0.0', '--port', '0']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('without a token');
  });

  it('finishes in-flight requests on SIGTERM, then closes the store and exits 0', async () => {
    const server = await startServe();
    const path = `${new URL(server.url).pathname}/accounts/a/storage/kv/namespaces/default/values/inflight`;
    const socket = await connect(server.url);
    const response = readUntilClosed(socket, 20_000);
    socket.write(`PUT ${path} HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\nConnection: close\r\n\r\nhello`);
    // The request is in flight (half its body sent) when the signal arrives: a round trip on
    // another connection shows the server has been through its event loop since.
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect((await fetch(`${server.url}/accounts/a/storage/kv/namespaces`)).status).toBe(200);
    const exit = server.stop('SIGTERM');
    await new Promise((resolve) => setTimeout(resolve, 300));
    socket.write('world');
    const { data } = await response;
    expect(data).toMatch(/^HTTP\/1\.1 200/);
    expect(await exit).toBe(0);
    expect(server.stderr()).toContain('stopped');
    const read = await runCommand(['kv', 'get', 'inflight', '--data-dir', server.dataDir]);
    expect(read.stdout).toBe('helloworld');
  });

  it('folds its WAL into the store file once writes stop, so a copy of the file alone holds them', async () => {
    const server = await startServe(['--no-write-limit']);
    const base = `${server.url}/accounts/a/storage/kv/namespaces/default`;
    // 10,000 entries of 500 bytes in 5 requests: more WAL than SQLite's own threshold would keep.
    for (let batch = 0; batch < 5; batch++) {
      const items = Array.from({ length: 2000 }, (_, i) => ({ key: `k${batch}-${i}`, value: 'v'.repeat(500) }));
      const response = await fetch(`${base}/bulk`, { method: 'PUT', body: JSON.stringify(items) });
      expect(response.status).toBe(200);
    }
    const file = path.join(server.dataDir, 'namespaces', 'default.sqlite');
    const rowsInFileAlone = () => {
      const copy = path.join(tempDir('serve-wal'), 'copy.sqlite');
      fs.copyFileSync(file, copy);
      const db = new Database(copy, { readonly: true });
      try {
        return db.prepare("SELECT 1 FROM sqlite_master WHERE name = 'kv'").get()
          ? (db.prepare('SELECT count(*) AS n FROM kv').get() as { n: number }).n
          : 0;
      } catch (error) {
        // A copy taken while the checkpoint was writing the file: not folded yet, look again.
        if (/^SQLITE_(CORRUPT|NOTADB)/.test((error as { code?: string }).code ?? '')) return -1;
        throw error;
      } finally {
        db.close();
      }
    };
    try {
      // The server checkpoints after a second without writes; poll rather than guess how long a loaded machine takes.
      let rows = rowsInFileAlone();
      for (let wait = 0; rows < 10_000 && wait < 200; wait++) {
        await new Promise((resolve) => setTimeout(resolve, 100));
        rows = rowsInFileAlone();
      }
      expect(rows).toBe(10_000);
    } finally {
      expect(await server.stop('SIGTERM')).toBe(0);
    }
  });

  it('says what it serves, then logs one line per request on stderr unless --quiet', async () => {
    const server = await startServe(['--no-bulk-sessions']);
    await fetch(`${server.url}/accounts/a/storage/kv/namespaces`);
    await server.stop();
    expect(server.stderr()).toContain(`kvadm serve: store ${server.dataDir}; no token; write limit on; bulk sessions off; Ctrl-C stops\n`);
    expect(server.stderr()).toMatch(/GET \/client\/v4\/accounts\/a\/storage\/kv\/namespaces 200 /);
    const quiet = await startServe(['--quiet']);
    await fetch(`${quiet.url}/accounts/a/storage/kv/namespaces`);
    await quiet.stop();
    expect(quiet.stderr()).not.toContain('GET ');
  });
});
