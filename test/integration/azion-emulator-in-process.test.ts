// The emulator of `kvadm azion emulate` in-process (real sockets on 127.0.0.1, a local store):
// Azion's namespace API stand-in answering with the store's own times, and the per-request
// test clock (kvadm-test-now) applied to the bridge as `kvadm serve` applies it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningEmulator, startEmulator } from '../../src/lib/azion/emulator.js';
import { LocalBackend } from '../../src/lib/backends/local.js';
import { RequestClock } from '../../src/lib/server/request-clock.js';
import { tempDir } from '../helpers.js';

const TOKEN = 'emulator-in-process';

describe('the Azion emulator in-process', () => {
  let emulator: RunningEmulator;
  const requestClock = new RequestClock();
  beforeAll(async () => {
    const backend = new LocalBackend({ dataDir: tempDir('emulator'), clock: requestClock.clock });
    emulator = await startEmulator({ backend, host: '127.0.0.1', port: 0, token: TOKEN, accessLog: null, requestClock });
  });
  afterAll(async () => {
    await emulator?.close();
  });

  const api = (path: string, init: RequestInit = {}) =>
    fetch(`${emulator.apiUrl}/workspace/kv/namespaces${path}`, {
      ...init,
      headers: { authorization: `Token ${TOKEN}`, 'content-type': 'application/json' },
    });
  const bridge = (path: string, init: RequestInit = {}, testNow?: number | string) =>
    fetch(`${emulator.url}/accounts/acc/storage/kv/namespaces${path}`, {
      ...init,
      headers: { authorization: `Bearer ${TOKEN}`, ...(testNow === undefined ? {} : { 'kvadm-test-now': String(testNow) }) },
    });
  type AzionNamespace = { name: string; created_at: string; last_modified: string };

  it("answers Azion's namespace API with the store's times: created once, last modified by writes", async () => {
    const before = Date.now() - 1000;
    const created = await api('', { method: 'POST', body: JSON.stringify({ name: 'timed_ns' }) });
    expect(created.status).toBe(201);
    const record = (await created.json()) as AzionNamespace;
    expect(record.name).toBe('timed_ns');
    expect(Date.parse(record.last_modified)).toBeGreaterThanOrEqual(before);
    // Where the file system keeps no birth time the API says the epoch, as before.
    if (record.created_at !== new Date(0).toISOString()) expect(Date.parse(record.created_at)).toBeGreaterThanOrEqual(before);

    const listed = (await (await api('?page_size=1000')).json()) as { results: AzionNamespace[] };
    expect(listed.results.find((ns) => ns.name === 'timed_ns')).toEqual(record);

    await new Promise((resolve) => setTimeout(resolve, 30));
    expect((await bridge('/timed_ns/values/k', { method: 'PUT', body: 'v' })).status).toBe(200);
    const after = (await (await api('/timed_ns')).json()) as AzionNamespace;
    expect(after.created_at).toBe(record.created_at);
    expect(Date.parse(after.last_modified)).toBeGreaterThan(Date.parse(record.last_modified));
  });

  it('runs each bridge request at the time its kvadm-test-now header gives, and at the real time without one', async () => {
    expect((await api('', { method: 'POST', body: JSON.stringify({ name: 'clocked' }) })).status).toBe(201);
    const at = Date.UTC(2031, 0, 1);
    expect((await bridge('/clocked/values/k?expiration_ttl=60', { method: 'PUT', body: 'v' }, at)).status).toBe(200);
    expect(await (await bridge('/clocked/values/k', {}, at + 30_000)).text()).toBe('v');
    expect((await bridge('/clocked/values/k', {}, at + 61_000)).status).toBe(404);
    // Real time is years before the key's expiry; a malformed header counts as none.
    expect((await bridge('/clocked/values/k')).status).toBe(200);
    expect((await bridge('/clocked/values/k', {}, `${at + 61_000}ms`)).status).toBe(200);
  });
});
