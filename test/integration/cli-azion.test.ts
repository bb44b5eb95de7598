/**
 * `--backend azion` as bin/run.js runs it (the fast path, then oclif for what it declines),
 * in this process (runFastPath, test/run-command.ts): the binary's own exits are in
 * smoke.test.ts, and nothing here is about the process. Namespaces over a stand-in for Azion's v4 API
 * (test/azion-api-stand-in.ts), key commands refused with exit 2 and the way to deploy the
 * bridge when none is set, and key commands through a bridge (here `kvadm serve`, which
 * speaks the same protocol as the bridge Function).
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { AzionApiStandIn } from '../azion-api-stand-in.js';
import { tempDir } from '../helpers.js';
import { runFastPath } from '../run-command.js';
import { type ServeProcess, startServe } from '../serve-process.js';

let api: AzionApiStandIn;
let env: NodeJS.ProcessEnv;

beforeAll(async () => {
  api = await AzionApiStandIn.start();
});
afterAll(async () => {
  await api.close();
});
beforeEach(() => {
  api.requests.length = 0;
  api.script.length = 0;
  api.namespaces.clear();
  env = {
    KVADM_BACKEND: 'azion',
    KVADM_AZION_API_URL: api.url,
    KVADM_AZION_TOKEN: api.token,
    KVADM_CONFIG_DIR: tempDir('azion-config'),
  };
});

describe('namespaces over the Azion API', () => {
  it('ns create, ns list (every page) and ns create of a taken name (exit 4)', async () => {
    const created = await runFastPath(['ns', 'create', 'users'], { env });
    expect([created.code, created.stderr]).toEqual([0, "created namespace 'users'\n"]);
    api.seed('orders', 'cache_v2');
    const listed = await runFastPath(['ns', 'list', '--json'], { env });
    expect(JSON.parse(listed.stdout)).toEqual({ namespaces: ['cache_v2', 'orders', 'users'] });
    const again = await runFastPath(['ns', 'create', 'users'], { env });
    expect(again.code).toBe(4);
    expect(again.stderr).toContain("namespace 'users' already exists");
  });

  it("a name outside Azion's rule exits 2 and no request leaves", async () => {
    const result = await runFastPath(['ns', 'create', 'app.sessions'], { env });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('Azion names are 3 to 63 characters of A-Z a-z 0-9 _ -');
    expect(api.requests).toHaveLength(0);
  });

  it('a wrong token exits 5; a missing namespace exits 3', async () => {
    const refused = await runFastPath(['ns', 'list'], { env: { ...env, KVADM_AZION_TOKEN: 'not-the-token' } });
    expect(refused.code).toBe(5);
    expect(refused.stderr).toContain('the Azion API refused the token (HTTP 401');
    expect(refused.stderr).not.toContain('not-the-token');
    const missing = await runFastPath(['ns', 'info', 'nothere'], { env });
    expect(missing.code).toBe(3);
  });

  it('an unreachable API exits 6', async () => {
    const result = await runFastPath(['ns', 'list'], {
      env: { ...env, KVADM_AZION_API_URL: 'http://127.0.0.1:9/v4', KVADM_HTTP_RETRIES: '1' },
    });
    expect(result.code).toBe(6);
    expect(result.stderr).toContain('cannot reach the Azion API at http://127.0.0.1:9/v4');
  });

  it('honours Retry-After on 429: waits, then succeeds', async () => {
    api.script.push({ status: 429, headers: { 'retry-after': '1' } });
    const started = Date.now();
    const result = await runFastPath(['ns', 'create', 'slowly'], { env });
    expect(result.code).toBe(0);
    expect(Date.now() - started).toBeGreaterThanOrEqual(1000);
    expect(api.requests.filter((r) => r.method === 'POST')).toHaveLength(2);
  });
});

describe('without a bridge', () => {
  it.each([
    [['kv', 'put', 'k', 'v', '-n', 'users'], "writing a key in namespace 'users'"],
    [['export', '-n', 'users'], "namespace 'users'"],
    [['ns', 'delete', 'users', '--force'], "namespace 'users'"],
  ])('kvadm %j exits 2 and says how to deploy the bridge', async (args, what) => {
    api.seed('users');
    const result = await runFastPath(args, { env });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(what);
    expect(result.stderr).toContain('needs the kvadm bridge');
    expect(result.stderr).toContain('kvadm azion bridge --out DIR');
    expect(result.stderr).toContain('azion-bridge-url');
  });

  it('ns info says the namespace exists, with its dates, and that counting keys needs the bridge', async () => {
    api.seed('users');
    const result = await runFastPath(['ns', 'info', 'users'], { env });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("namespace 'users' exists on Azion (created 2026-12-01T10:00:00Z");
    expect(result.stderr).toContain('kvadm azion bridge --out DIR');
  });
});

describe('through a bridge', () => {
  let bridge: ServeProcess;
  beforeAll(async () => {
    bridge = await startServe(['--token', 'bridge-secret']);
  });
  afterAll(async () => {
    await bridge.stop();
  });

  it("kv put, get and list go to the bridge; ns info adds its counts to Azion's dates", async () => {
    api.seed('shop');
    const bridged = { ...env, KVADM_AZION_BRIDGE_URL: bridge.url, KVADM_AZION_BRIDGE_TOKEN: 'bridge-secret' };
    const local = { KVADM_BACKEND: 'local', KVADM_DATA_DIR: bridge.dataDir, KVADM_CONFIG_DIR: env.KVADM_CONFIG_DIR };
    expect((await runFastPath(['ns', 'create', 'shop'], { env: local })).code).toBe(0);
    expect((await runFastPath(['kv', 'put', 'item:1', 'apple', '-n', 'shop'], { env: bridged })).code).toBe(0);
    const read = await runFastPath(['kv', 'get', 'item:1', '-n', 'shop'], { env: bridged });
    expect([read.code, read.stdout]).toEqual([0, 'apple']);
    const info = await runFastPath(['ns', 'info', 'shop', '--json'], { env: bridged });
    expect(JSON.parse(info.stdout)).toMatchObject({ name: 'shop', keyCount: 1, createdAt: '2026-12-01T10:00:00Z' });
    const withoutAzionToken = await runFastPath(['kv', 'get', 'item:1', '-n', 'shop'], { env: { ...bridged, KVADM_AZION_TOKEN: '' } });
    expect([withoutAzionToken.code, withoutAzionToken.stdout]).toEqual([0, 'apple']);
    const wrongSecret = await runFastPath(['kv', 'get', 'item:1', '-n', 'shop'], { env: { ...bridged, KVADM_AZION_BRIDGE_TOKEN: 'nope' } });
    expect(wrongSecret.code).toBe(5);
    expect(wrongSecret.stderr).toContain('check azion-bridge-token (KVADM_AZION_BRIDGE_TOKEN)');
  });
});
