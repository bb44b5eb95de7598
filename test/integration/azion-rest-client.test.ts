/**
 * kvadm's client of Azion's v4 namespaces API against a stand-in written from the documented
 * shapes (test/azion-api-stand-in.ts): paths, headers, pagination, error mapping to exit
 * codes, retries with Retry-After, and Azion's name rule refusing before any request.
 */
import net from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { AzionRestClient, type AzionRestOptions } from '../../src/lib/azion/rest-client.js';
import { AzionBackend } from '../../src/lib/backends/azion.js';
import { ExitCode, type KvadmError } from '../../src/lib/errors.js';
import { AzionApiStandIn } from '../azion-api-stand-in.js';

let api: AzionApiStandIn;
const clients: AzionRestClient[] = [];
let slept: number[] = [];

beforeAll(async () => {
  api = await AzionApiStandIn.start();
});
afterAll(async () => {
  await Promise.all(clients.map((client) => client.close()));
  await api.close();
});
beforeEach(() => {
  api.requests.length = 0;
  api.script.length = 0;
  api.namespaces.clear();
  api.duplicateStatus = 400;
  slept = [];
});

function client(options: Partial<AzionRestOptions> = {}): AzionRestClient {
  const made = new AzionRestClient({
    apiUrl: api.url,
    token: api.token,
    sleep: async (ms) => {
      slept.push(ms);
    },
    random: () => 0.5,
    ...options,
  });
  clients.push(made);
  return made;
}

async function failure(promise: Promise<unknown>): Promise<KvadmError> {
  try {
    await promise;
  } catch (error) {
    return error as KvadmError;
  }
  throw new Error('expected a failure');
}

describe('requests', () => {
  it('creates with POST /workspace/kv/namespaces, a JSON {name} body and Authorization: Token', async () => {
    const created = await client().createNamespace('users');
    expect(created).toEqual({ name: 'users', created_at: '2026-12-01T10:00:00Z', last_modified: '2026-12-01T10:00:00Z' });
    expect(api.requests).toHaveLength(1);
    const [request] = api.requests;
    expect(request?.method).toBe('POST');
    expect(request?.path).toBe('/v4/workspace/kv/namespaces');
    expect(request?.headers.authorization).toBe(`Token ${api.token}`);
    expect(request?.headers['content-type']).toBe('application/json');
    expect(JSON.parse(request?.body ?? '')).toEqual({ name: 'users' });
  });

  it('retrieves one namespace with GET /workspace/kv/namespaces/{name}', async () => {
    api.seed('cache_v2');
    expect((await client().getNamespace('cache_v2')).name).toBe('cache_v2');
    expect(api.requests.map((r) => `${r.method} ${r.path}`)).toEqual(['GET /v4/workspace/kv/namespaces/cache_v2']);
  });

  it('lists every page, following pagination.has_next, with page and page_size', async () => {
    api.seed('ns-a', 'ns-b', 'ns-c', 'ns-d', 'ns-e');
    const names = (await client({ pageSize: 2 }).listNamespaces()).map((ns) => ns.name);
    expect(names).toEqual(['ns-a', 'ns-b', 'ns-c', 'ns-d', 'ns-e']);
    expect(api.requests.map((r) => r.query)).toEqual([
      { page: '1', page_size: '2' },
      { page: '2', page_size: '2' },
      { page: '3', page_size: '2' },
    ]);
  });

  it("asks for 1000 namespaces a page by default (Azion's maximum): one request for a small account", async () => {
    api.seed('one', 'two');
    await client().listNamespaces();
    expect(api.requests.map((r) => r.query)).toEqual([{ page: '1', page_size: '1000' }]);
  });
});

describe("Azion's name rule, before any request", () => {
  it.each([
    ['ab', 'it has 2 characters'],
    ['x'.repeat(64), 'it has 64 characters'],
    ['app.sessions', 'a character other than'],
    ['café', 'a character other than'],
  ])('refuses %j with exit 2 and sends nothing', async (name, problem) => {
    const error = await failure(client().createNamespace(name));
    expect(error.exitCode).toBe(ExitCode.usage);
    expect(error.message).toContain('3 to 63 characters of A-Z a-z 0-9 _ -');
    expect(error.message).toContain(problem);
    await failure(client().getNamespace(name));
    expect(api.requests).toHaveLength(0);
  });

  it('accepts 3 and 63 characters', async () => {
    await client().createNamespace('abc');
    await client().createNamespace('y'.repeat(63));
    expect(api.requests).toHaveLength(2);
  });
});

describe('errors and exit codes', () => {
  it('a taken name exits 4, whether Azion answers 400 with its error envelope or 409', async () => {
    api.seed('users');
    const on400 = await failure(client().createNamespace('users'));
    expect([on400.exitCode, on400.message]).toEqual([ExitCode.conflict, "namespace 'users' already exists"]);
    api.duplicateStatus = 409;
    expect((await failure(client().createNamespace('users'))).exitCode).toBe(ExitCode.conflict);
  });

  it('a missing namespace exits 3', async () => {
    const error = await failure(client().getNamespace('missing'));
    expect([error.exitCode, error.message]).toEqual([ExitCode.notFound, "namespace 'missing' not found"]);
  });

  it("a refused token exits 5 with Azion's message and without the token", async () => {
    const error = await failure(client({ token: 'wrong-token-abcdef' }).listNamespaces());
    expect(error.exitCode).toBe(ExitCode.auth);
    expect(error.message).toBe('the Azion API refused the token (HTTP 401 authentication_failed: Invalid token.)');
    expect(`${error.message} ${error.hint}`).not.toContain('wrong-token');
  });

  it('another 400 exits 2 with what Azion said', async () => {
    api.script.push({ status: 400, body: JSON.stringify({ state: 'error', error: { code: 'quota', message: 'Too many namespaces.' } }) });
    const error = await failure(client().createNamespace('more'));
    expect([error.exitCode, error.message]).toEqual([
      ExitCode.usage,
      'the Azion API refused the request (HTTP 400 quota: Too many namespaces.)',
    ]);
  });

  it('no token exits 2 before any request', async () => {
    const error = await failure(client({ token: undefined }).listNamespaces());
    expect(error.exitCode).toBe(ExitCode.usage);
    expect(error.hint).toContain('kvadm config set azion-token');
    expect(api.requests).toHaveLength(0);
  });

  it('a URL that is not the API (a web page answering 200) exits 2', async () => {
    api.script.push({ status: 200, headers: { 'content-type': 'text/html' }, body: '<html>hello</html>' });
    const error = await failure(client({ retries: 0 }).listNamespaces());
    expect(error.exitCode).toBe(ExitCode.usage);
    expect(error.hint).toContain('azion-api-url');
  });

  it('an azion-api-url that is not an http(s) URL, or carries credentials, exits 2 before any request', () => {
    const refusal = (apiUrl: string) => {
      try {
        client({ apiUrl });
      } catch (error) {
        return { message: (error as KvadmError).message, hint: (error as KvadmError).hint, exitCode: (error as KvadmError).exitCode };
      }
      throw new Error(`${apiUrl} was accepted`);
    };
    expect(refusal('api.azion.com/v4')).toEqual({
      message: 'invalid azion-api-url "api.azion.com/v4"',
      hint: "give the API's root, such as https://api.azion.com/v4",
      exitCode: ExitCode.usage,
    });
    expect(refusal('ftp://api.azion.com/v4')).toMatchObject({
      message: 'unsupported URL scheme ftp: in azion-api-url "ftp://api.azion.com/v4"',
      hint: 'use an http:// or https:// URL',
    });
    const withPassword = refusal('https://me:secret@api.azion.com/v4');
    expect(withPassword).toMatchObject({ message: 'the azion-api-url must not carry credentials', exitCode: ExitCode.usage });
    expect(withPassword.hint).toContain('kvadm config set azion-token');
    expect(api.requests).toHaveLength(0);
  });

  it('an unreachable API exits 6 after the retries', async () => {
    const closed = await closedPort();
    const error = await failure(client({ apiUrl: `http://127.0.0.1:${closed}/v4`, retries: 2 }).listNamespaces());
    expect(error.exitCode).toBe(ExitCode.unreachable);
    expect(error.message).toContain('after 3 attempts');
    expect(slept).toHaveLength(2);
  });
});

describe('retries', () => {
  it('waits what Retry-After asks on 429, then succeeds', async () => {
    api.script.push({ status: 429, headers: { 'retry-after': '3' } }, { status: 429, headers: { 'retry-after': '1' } });
    await client().createNamespace('throttled');
    expect(slept).toEqual([3000, 1000]);
    expect(api.requests.filter((r) => r.method === 'POST')).toHaveLength(3);
    expect(api.namespaces.has('throttled')).toBe(true);
  });

  it('reads Retry-After given as an HTTP date', async () => {
    api.script.push({ status: 503, headers: { 'retry-after': new Date(Date.now() + 5000).toUTCString() } });
    await client().listNamespaces();
    expect(slept[0]).toBeGreaterThan(3000);
    expect(slept[0]).toBeLessThanOrEqual(5000);
  });

  it('backs off exponentially on 5xx, bounded by maxBackoffMs', async () => {
    for (let i = 0; i < 4; i++) api.script.push({ status: 502 });
    await client({ retryBaseMs: 100, maxBackoffMs: 400 }).listNamespaces();
    // random() = 0.5: no jitter; 100, 200, 400, then the 400 ms cap.
    expect(slept).toEqual([100, 200, 400, 400]);
  });

  it('caps a long Retry-After at maxBackoffMs', async () => {
    api.script.push({ status: 429, headers: { 'retry-after': '3600' } });
    await client({ maxBackoffMs: 30_000 }).listNamespaces();
    expect(slept).toEqual([30_000]);
  });

  it('gives up after the retries: 429 exits 1, 503 exits 6', async () => {
    for (let i = 0; i < 3; i++) api.script.push({ status: 429, headers: { 'retry-after': '0' } });
    const throttled = await failure(client({ retries: 2 }).listNamespaces());
    expect([throttled.exitCode, throttled.message]).toEqual([
      ExitCode.failure,
      'the Azion API is still throttling after 3 attempts (HTTP 429 scripted: scripted HTTP 429)',
    ]);
    for (let i = 0; i < 3; i++) api.script.push({ status: 503 });
    expect((await failure(client({ retries: 2 }).listNamespaces())).exitCode).toBe(ExitCode.unreachable);
  });

  it('a create that met a 5xx and then "exists" says the first attempt may have created it', async () => {
    api.script.push({ status: 502 });
    api.seed('maybe');
    const error = await failure(client().createNamespace('maybe'));
    expect(error.exitCode).toBe(ExitCode.conflict);
    expect(error.message).toContain('an earlier attempt answered HTTP 502 and may have created it');
  });
});

describe('the azion backend', () => {
  it('refuses key operations without a bridge, exit 2, naming the deploy command; no request is sent', async () => {
    const backend = new AzionBackend({ apiUrl: api.url, token: api.token });
    const error = await failure(backend.put('users', { key: 'k', value: new Uint8Array(), expiration: null, metadata: null }));
    expect(error.exitCode).toBe(ExitCode.usage);
    expect(error.message).toContain("writing a key in namespace 'users' needs the kvadm bridge");
    expect(error.hint).toContain('kvadm azion bridge --out DIR');
    expect(error.hint).toContain('azion-bridge-url');
    expect(api.requests).toHaveLength(0);
    await backend.close();
  });

  it('lists namespace names in byte order', async () => {
    api.seed('b-ns', 'a-ns', 'C-ns');
    const backend = new AzionBackend({ apiUrl: api.url, token: api.token });
    expect(await backend.listNamespaces()).toEqual(['C-ns', 'a-ns', 'b-ns']);
    await backend.close();
  });
});

async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
