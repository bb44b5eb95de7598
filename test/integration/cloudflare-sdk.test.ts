// The official `cloudflare` SDK (a client nobody here wrote), pointed at a real
// `kvadm serve` with baseURL: proof that the server speaks the protocol as published. The
// same checks run against `kvadm azion emulate` (the Azion bridge Function's own handler),
// which differs only where Azion cannot follow (namespace rename).
import Cloudflare from 'cloudflare';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ServeProcess, startServe } from '../serve-process.js';

const TOKEN = 'sdk-test-token';
const account_id = '023e105f4ecef8ad9ca31a8372d0c353';

const servers = [
  { name: 'kvadm serve', command: ['serve'], renames: true },
  { name: 'kvadm azion emulate (the Azion bridge)', command: ['azion', 'emulate'], renames: false },
];

describe.each(servers)('the cloudflare SDK against $name', ({ command, renames }) => {
  let server: ServeProcess;
  let client: Cloudflare;

  beforeAll(async () => {
    server = await startServe(['--quiet'], { command, env: { KVADM_TOKEN: TOKEN } });
    client = new Cloudflare({ apiToken: TOKEN, baseURL: server.url, maxRetries: 0 });
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('creates, gets, lists, renames and deletes namespaces', async () => {
    const created = await client.kv.namespaces.create({ account_id, title: 'sdk-users' });
    expect(created).toMatchObject({ id: 'sdk-users', title: 'sdk-users', supports_url_encoding: true });
    await expect(client.kv.namespaces.create({ account_id, title: 'sdk-users' })).rejects.toMatchObject({ status: 400 });
    expect(await client.kv.namespaces.get('sdk-users', { account_id })).toMatchObject({ title: 'sdk-users' });

    for (let i = 0; i < 25; i++) await client.kv.namespaces.create({ account_id, title: `sdk-many-${String(i).padStart(2, '0')}` });
    const titles: string[] = [];
    // The SDK pages (per_page 20 by default) until a page comes back empty.
    for await (const ns of client.kv.namespaces.list({ account_id })) titles.push(ns.title);
    expect(titles).toContain('sdk-users');
    expect(titles.filter((t) => t.startsWith('sdk-many-'))).toHaveLength(25);
    const firstPage = await client.kv.namespaces.list({ account_id, per_page: 5, direction: 'desc' });
    expect(firstPage.result).toHaveLength(5);

    let current = 'sdk-users';
    if (renames) {
      const renamed = await client.kv.namespaces.update('sdk-users', { account_id, title: 'sdk-people' });
      expect(renamed).toMatchObject({ title: 'sdk-people' });
      await expect(client.kv.namespaces.get('sdk-users', { account_id })).rejects.toMatchObject({ status: 404 });
      current = 'sdk-people';
    } else {
      await expect(client.kv.namespaces.update('sdk-users', { account_id, title: 'sdk-people' })).rejects.toMatchObject({ status: 400 });
    }
    await client.kv.namespaces.delete(current, { account_id });
    await expect(client.kv.namespaces.get(current, { account_id })).rejects.toMatchObject({ status: 404 });
  });

  it('writes and reads values, metadata and expiration', async () => {
    const namespace_id = (await client.kv.namespaces.create({ account_id, title: 'sdk-values' })).id;
    const expiration = Math.floor(Date.now() / 1000) + 3600;
    await client.kv.namespaces.values.update('greeting/en', {
      account_id,
      namespace_id,
      value: 'hello wörld',
      // The SDK sends objects as bracketed form fields, so metadata goes as JSON text.
      metadata: JSON.stringify({ lang: 'en' }),
      expiration,
    });
    const response = await client.kv.namespaces.values.get('greeting/en', { account_id, namespace_id });
    expect(await response.text()).toBe('hello wörld');
    expect(response.headers.get('expiration')).toBe(String(expiration));
    expect(await client.kv.namespaces.metadata.get('greeting/en', { account_id, namespace_id })).toEqual({ lang: 'en' });

    const bytes = new Uint8Array([0, 0xff, 0xfe, 1]);
    await client.kv.namespaces.values.update('blob', { account_id, namespace_id, value: new File([bytes], 'blob') });
    const blob = await client.kv.namespaces.values.get('blob', { account_id, namespace_id });
    expect(new Uint8Array(await blob.arrayBuffer())).toEqual(bytes);
    expect(await client.kv.namespaces.metadata.get('blob', { account_id, namespace_id })).toBeNull();

    await expect(
      client.kv.namespaces.values.update('short', { account_id, namespace_id, value: 'v', expiration_ttl: 30 }),
    ).rejects.toMatchObject({ status: 400 });
    await client.kv.namespaces.values.delete('greeting/en', { account_id, namespace_id });
    await expect(client.kv.namespaces.values.get('greeting/en', { account_id, namespace_id })).rejects.toMatchObject({ status: 404 });
  });

  it('lists keys with cursors and runs bulk write, get and delete', async () => {
    const namespace_id = (await client.kv.namespaces.create({ account_id, title: 'sdk-bulk' })).id;
    const body = Array.from({ length: 30 }, (_, i) => ({
      key: `item:${String(i).padStart(2, '0')}`,
      value: i === 0 ? Buffer.from([0xff, 0x00]).toString('base64') : `value ${i}`,
      ...(i === 0 ? { base64: true } : {}),
      ...(i % 2 === 0 ? { metadata: { even: true } } : {}),
    }));
    expect(await client.kv.namespaces.keys.bulkUpdate(namespace_id, { account_id, body })).toMatchObject({
      successful_key_count: 30,
      unsuccessful_keys: [],
    });

    const first = await client.kv.namespaces.keys.list(namespace_id, { account_id, limit: 10, prefix: 'item:' });
    expect(first.result.map((k) => k.name)).toEqual(body.slice(0, 10).map((b) => b.key));
    expect(first.result[0]).toMatchObject({ metadata: { even: true } });
    expect(first.hasNextPage()).toBe(true);
    const names: string[] = [];
    for await (const key of client.kv.namespaces.keys.list(namespace_id, { account_id, limit: 10 })) names.push(key.name);
    expect(names).toEqual(body.map((b) => b.key));

    const got = await client.kv.namespaces.keys.bulkGet(namespace_id, {
      account_id,
      keys: ['item:01', 'item:02', 'missing'],
      withMetadata: true,
    });
    expect(got).toEqual({
      values: {
        'item:01': { value: 'value 1', metadata: null },
        'item:02': { value: 'value 2', metadata: { even: true } },
        missing: null,
      },
    });
    const raw = await client.kv.namespaces.values.get('item:00', { account_id, namespace_id });
    expect(new Uint8Array(await raw.arrayBuffer())).toEqual(new Uint8Array([0xff, 0x00]));

    expect(
      await client.kv.namespaces.keys.bulkDelete(namespace_id, { account_id, body: body.slice(0, 20).map((b) => b.key) }),
    ).toMatchObject({ successful_key_count: 20 });
    const left = await client.kv.namespaces.keys.list(namespace_id, { account_id });
    expect(left.result).toHaveLength(10);
  });

  it('is refused without the token', async () => {
    const anonymous = new Cloudflare({ apiToken: 'wrong', baseURL: server.url, maxRetries: 0 });
    await expect(anonymous.kv.namespaces.list({ account_id })).rejects.toMatchObject({ status: 401 });
  });
});
