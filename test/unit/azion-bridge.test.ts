// The Azion bridge Function in-process: its handler called with web Requests, over kvadm's
// local store standing in for Azion.KV with Azion's 1 write/s per key enforced. What the
// shared suites cannot show: the key index under the write limit, stale entries healing,
// and the bridge staying a self-contained module whose limits match kvadm's.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalBackend } from '../../src/lib/backends/local.js';
import {
  AZION_NAMESPACE_PATTERN,
  BRIDGE_AZION_LIMITS,
  BRIDGE_LIMITS,
  BRIDGE_WIRE_CODES,
  INDEX_BUCKETS,
  STALE_ENTRY_MIN_AGE_SECONDS,
  bucketKey,
  bucketOf,
  handleRequest,
} from '../../src/lib/azion/bridge/bridge.js';
import { withWriteLimit } from '../../src/lib/azion/emulator.js';
import { type AzionRuntime, installAzionRuntime } from '../../src/lib/azion/runtime.js';
import { AZION_LIMITS, AZION_NAMESPACE_NAME_PATTERN, LIMITS } from '../../src/lib/limits.js';
import { VALIDATION_WIRE_CODES, WIRE_CODES } from '../../src/lib/wire-codes.js';
import { repoRoot, tempDir } from '../helpers.js';

const TOKEN = 'bridge-unit-token';
const BASE = 'http://bridge.test/client/v4/accounts/acc/storage/kv/namespaces';

describe('the Azion bridge Function', () => {
  let backend: LocalBackend;
  let runtime: AzionRuntime;
  // Real time plus an offset the tests move: the write limit needs time to pass.
  let offsetMs = 0;
  const clock = () => Date.now() + offsetMs;
  const env = { KVADM_BRIDGE_TOKEN: TOKEN, kvadmTestClock: clock };
  const call = (method: string, route: string, body?: string, headers: Record<string, string> = {}) =>
    handleRequest(
      new Request(`${BASE}${route}`, {
        method,
        headers: { authorization: `Bearer ${TOKEN}`, ...headers },
        ...(body === undefined ? {} : { body }),
      }),
      env,
    );
  const listNames = async (namespace: string) => {
    const names: string[] = [];
    let cursor = '';
    do {
      const page = (await (await call('GET', `/${namespace}/keys?limit=10${cursor ? `&cursor=${cursor}` : ''}`)).json()) as {
        result: Array<{ name: string }>;
        result_info: { cursor: string };
      };
      names.push(...page.result.map((k) => k.name));
      cursor = page.result_info.cursor;
    } while (cursor);
    return names;
  };

  beforeAll(() => {
    backend = new LocalBackend({ dataDir: tempDir('bridge'), clock });
    runtime = installAzionRuntime({ backend: withWriteLimit(backend, clock), clock });
  });
  afterAll(async () => {
    await runtime.uninstall();
    await backend.close();
  });

  it('mirrors kvadm limits and wire codes, so the bridge and kvadm cannot disagree', () => {
    for (const [name, value] of Object.entries(BRIDGE_LIMITS)) expect([name, value]).toEqual([name, LIMITS[name as keyof typeof LIMITS]]);
    for (const name of Object.keys(WIRE_CODES) as Array<keyof typeof WIRE_CODES>) {
      expect([name, BRIDGE_WIRE_CODES[name as keyof typeof BRIDGE_WIRE_CODES]]).toEqual([name, WIRE_CODES[name]]);
    }
    expect(BRIDGE_WIRE_CODES.keyTooLong).toBe(VALIDATION_WIRE_CODES.KEY_TOO_LONG);
    expect(BRIDGE_WIRE_CODES.metadataTooLarge).toBe(VALIDATION_WIRE_CODES.METADATA_TOO_LARGE);
    expect(BRIDGE_WIRE_CODES.expirationTtlInvalid).toBe(VALIDATION_WIRE_CODES.EXPIRATION_TTL_INVALID);
    expect(BRIDGE_WIRE_CODES.cursorInvalid).toBe(VALIDATION_WIRE_CODES.CURSOR_INVALID);
  });

  it("keeps Azion's namespace rule and limits as kvadm does: the same names refused, one by one, in the handler too", async () => {
    expect(BRIDGE_AZION_LIMITS).toEqual(AZION_LIMITS);
    const names = [
      'ab',
      'abc',
      'a'.repeat(63),
      'a'.repeat(64),
      'Az09',
      'with_underscore',
      'with-hyphen',
      '___',
      '---',
      'with.dot',
      '.dotfirst',
      'with space',
      'naïve',
      '名前空間',
      'tab\there',
      'slash/in',
      'plus+sign',
      'at@sign',
      'emoji😀x',
      'trailing\n',
    ];
    for (const name of names) {
      const kvadmAccepts = AZION_NAMESPACE_NAME_PATTERN.test(name);
      expect([name, AZION_NAMESPACE_PATTERN.test(name)]).toEqual([name, kvadmAccepts]);
      // What a client sees: the handler refuses exactly those names as invalid (a valid name
      // that does not exist is a 404 instead).
      const response = await call('GET', `/${encodeURIComponent(name)}/keys`);
      const code = ((await response.json()) as { errors: Array<{ code: number }> }).errors[0]?.code;
      expect([name, code === BRIDGE_WIRE_CODES.namespaceNameInvalid]).toEqual([name, !kvadmAccepts]);
    }
    expect(names.filter((name) => AZION_NAMESPACE_NAME_PATTERN.test(name))).toEqual([
      'abc',
      'a'.repeat(63),
      'Az09',
      'with_underscore',
      'with-hyphen',
      '___',
      '---',
    ]);
  });

  it('is one self-contained module: no imports, no Node globals', () => {
    const source = fs.readFileSync(path.join(repoRoot, 'src/lib/azion/bridge/bridge.ts'), 'utf8');
    const code = source.replace(/\/\*[\s\S]*?\*\//g, '').replace(/\/\/.*$/gm, '');
    expect(code).not.toMatch(/^\s*import\s/m);
    expect(code).not.toMatch(/\bimport\(|\brequire\(|\bBuffer\b|\bprocess\.|node:/);
    expect(code).toMatch(/export default \{/);
  });

  it('refuses requests without the bearer secret, and every request when none is configured', async () => {
    const anonymous = await handleRequest(new Request(`${BASE}/x/keys`), env);
    expect(anonymous.status).toBe(401);
    expect(await anonymous.json()).toMatchObject({ success: false, errors: [{ code: 10000 }] });
    const wrong = await handleRequest(new Request(`${BASE}/x/keys`, { headers: { authorization: 'Bearer nope' } }), env);
    expect(wrong.status).toBe(401);
    const unconfigured = await handleRequest(new Request(`${BASE}/x/keys`, { headers: { authorization: `Bearer ${TOKEN}` } }), {});
    expect(unconfigured.status).toBe(401);
    expect(JSON.stringify(await unconfigured.json())).toContain('KVADM_BRIDGE_TOKEN');
  });

  it('says what Azion cannot do: rename, and create or list namespaces without an Azion token', async () => {
    await backend.createNamespace('cannot-do');
    for (const response of [
      await call('PUT', '/cannot-do', JSON.stringify({ title: 'other' })),
      await call('POST', '', JSON.stringify({ title: 'new-one' })),
      await call('GET', ''),
    ]) {
      expect(response.status).toBe(400);
      const body = (await response.json()) as { errors: Array<{ code: number; message: string }> };
      expect(body.errors[0]?.code).toBe(10119);
      expect(body.errors[0]?.message).toMatch(/cannot (rename|create or list)/);
    }
    const badName = await call('GET', '/ab/keys');
    expect(badName.status).toBe(400);
    expect(JSON.stringify(await badName.json())).toContain('3 to 63 characters');
  });

  it('keeps every key listed when concurrent single puts hit the same index bucket under the 1 write/s limit', async () => {
    await backend.createNamespace('one-bucket');
    // Twelve keys that share one bucket: each put must add itself to the same index key.
    const keys: string[] = [];
    for (let i = 0; keys.length < 12; i++) if (bucketOf(`same-${i}`) === 7) keys.push(`same-${i}`);
    const responses = await Promise.all(keys.map((key) => call('PUT', `/one-bucket/values/${key}`, `value of ${key}`)));
    expect(responses.map((r) => r.status)).toEqual(keys.map(() => 200));
    expect(await listNames('one-bucket')).toEqual([...keys].sort());
    // The next put to the same bucket within the second waits for the limit instead of failing.
    offsetMs += 2000;
    expect((await call('PUT', `/one-bucket/values/${keys[0]}`, 'again')).status).toBe(200);
  });

  it('writes the index once per bucket for a bulk write, then refuses a rewrite of a key within the second', async () => {
    await backend.createNamespace('bulk-ns');
    offsetMs += 2000;
    const items = Array.from({ length: 500 }, (_, i) => ({ key: `k${String(i).padStart(3, '0')}`, value: `v${i}` }));
    const first = await call('PUT', '/bulk-ns/bulk', JSON.stringify(items));
    expect(await first.json()).toMatchObject({ result: { successful_key_count: 500, unsuccessful_keys: [] } });
    const buckets = new Set(items.map((item) => bucketOf(item.key)));
    expect(buckets.size).toBeLessThanOrEqual(INDEX_BUCKETS);
    expect(await listNames('bulk-ns')).toEqual(items.map((item) => item.key));
    // Within the same second: the values are refused by the runtime and reported for resending.
    const again = (await (await call('PUT', '/bulk-ns/bulk', JSON.stringify(items.slice(0, 3)))).json()) as {
      result: { unsuccessful_keys: string[] };
    };
    expect(again.result.unsuccessful_keys).toEqual(['k000', 'k001', 'k002']);
  });

  it('hides index entries of keys that are gone, and drops them once they are older than Azion can lag', async () => {
    await backend.createNamespace('stale-ns');
    offsetMs += 2000;
    await call('PUT', '/stale-ns/values/kept', 'x');
    await call('PUT', '/stale-ns/values/gone', 'y');
    // Deleted behind the bridge's back (another Function, or a request cut off after its index write).
    await backend.delete('stale-ns', 'gone');
    expect(await listNames('stale-ns')).toEqual(['kept']);
    const bucket = bucketKey(bucketOf('gone'));
    const indexHas = async () =>
      Buffer.from((await backend.get('stale-ns', bucket))?.value ?? [])
        .toString()
        .includes('"gone"');
    expect(await indexHas()).toBe(true);
    offsetMs += (STALE_ENTRY_MIN_AGE_SECONDS + 5) * 1000;
    expect(await listNames('stale-ns')).toEqual(['kept']);
    expect(await indexHas()).toBe(false);
  });

  it('refuses keys under the index prefix, so the index cannot be overwritten', async () => {
    await backend.createNamespace('reserved');
    const response = await call('PUT', `/reserved/values/${encodeURIComponent('.kvadm-bridge/index/00')}`, 'x');
    expect(response.status).toBe(400);
    expect(JSON.stringify(await response.json())).toContain('reserved');
  });
});
