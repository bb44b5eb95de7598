// kvadm serve's staged bulk sessions (docs/PROTOCOL.md, "Bulk sessions"): the protocol as a
// client sees it, raw, and the import that uses it through the HTTP backend. A real server in
// this process over a real local store; no step waits on a timer but the idle test's session.
import fs from 'node:fs';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { HttpBackend } from '../../src/lib/backends/http.js';
import { LocalBackend, type LocalBackendOptions } from '../../src/lib/backends/local.js';
import { importEntries } from '../../src/lib/bulk/import.js';
import { InvalidEntriesError } from '../../src/lib/bulk/import-errors.js';
import { KV } from '../../src/lib/kv.js';
import { copyStore } from '../../src/lib/sync/copy.js';
import { type ServerOptions, buildApp } from '../../src/lib/server/app.js';
import { tempDir } from '../helpers.js';

interface Served {
  app: FastifyInstance;
  backend: LocalBackend;
  dataDir: string;
  /** `/client/v4/accounts/local/storage/kv/namespaces` on this server. */
  root: string;
  url: string;
}

const running: Served[] = [];
afterEach(async () => {
  for (const served of running.splice(0)) {
    await served.app.close();
    await served.backend.close();
  }
});

async function serve(
  options: Partial<ServerOptions> = {},
  dataDir = tempDir('sessions'),
  store: Omit<LocalBackendOptions, 'dataDir'> = {},
): Promise<Served> {
  const backend = new LocalBackend({ dataDir, ...store });
  const app = await buildApp({ backend, sweepIntervalMs: 0, accessLog: null, writeLimit: false, ...options });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const url = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}/client/v4`;
  const served = { app, backend, dataDir, url, root: `${url}/accounts/local/storage/kv/namespaces` };
  running.push(served);
  return served;
}

interface Answer {
  status: number;
  body: { success: boolean; errors: Array<{ code: number; message: string }>; result: Record<string, unknown> | null };
}

async function call(method: string, url: string, body?: unknown): Promise<Answer> {
  const response = await fetch(url, {
    method,
    ...(body === undefined ? {} : { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }),
  });
  return { status: response.status, body: (await response.json()) as Answer['body'] };
}

/** The routes of one session on one namespace. */
function session(served: Served, namespace: string, id = `s-${Math.random().toString(36).slice(2)}-0123456789`) {
  const base = `${served.root}/${namespace}`;
  return {
    id,
    open: () => call('PUT', `${base}/bulk/sessions/${id}`),
    write: (seq: number, items: unknown[]) => call('PUT', `${base}/bulk?session=${id}&seq=${seq}`, items),
    commit: () => call('POST', `${base}/bulk/sessions/${id}/commit`),
    abort: () => call('DELETE', `${base}/bulk/sessions/${id}`),
  };
}

async function servedValue(served: Served, namespace: string, key: string): Promise<string | null> {
  const response = await fetch(`${served.root}/${namespace}/values/${encodeURIComponent(key)}`);
  if (response.status === 404) return null;
  expect(response.status).toBe(200);
  return response.text();
}

async function keyCount(served: Served, namespace: string): Promise<number> {
  return (await served.backend.namespaceInfo(namespace)).keyCount;
}

describe('bulk sessions on kvadm serve', () => {
  it('hold every write until the commit: readers see the namespace as it was, and other writers wait for the commit', async () => {
    const served = await serve();
    await served.backend.createNamespace('held');
    const s = session(served, 'held');
    expect((await s.open()).body.result).toMatchObject({ id: s.id, idle_ms: 60_000 });
    expect((await s.write(0, [{ key: 'a', value: 'from the session' }])).body.result).toEqual({
      successful_key_count: 1,
      unsuccessful_keys: [],
    });
    expect(await servedValue(served, 'held', 'a')).toBeNull();

    const order: string[] = [];
    const otherWrite = fetch(`${served.root}/held/values/b`, { method: 'PUT', body: 'other writer' }).then((response) => {
      order.push('other write answered');
      return response.status;
    });
    // A read answered after the other write was sent: that write is still waiting for the session.
    expect(await servedValue(served, 'held', 'b')).toBeNull();
    expect(order).toEqual([]);

    const committed = await s.commit();
    order.push('commit answered');
    expect(committed.body.result).toEqual({ successful_key_count: 1 });
    expect(await otherWrite).toBe(200);
    expect(order).toEqual(['commit answered', 'other write answered']);
    expect(await servedValue(served, 'held', 'a')).toBe('from the session');
    expect(await servedValue(served, 'held', 'b')).toBe('other writer');
  });

  it('apply requests in the order of their sequence numbers, whatever order they arrive in', async () => {
    const served = await serve();
    await served.backend.createNamespace('ordered');
    const s = session(served, 'ordered');
    await s.open();
    const second = s.write(1, [
      { key: 'k', value: 'second' },
      { key: 'only-in-1', value: 'x' },
    ]);
    const first = await s.write(0, [{ key: 'k', value: 'first' }]);
    expect(first.status).toBe(200);
    expect((await second).status).toBe(200);
    expect((await s.commit()).body.result).toEqual({ successful_key_count: 3 });
    expect(await servedValue(served, 'ordered', 'k')).toBe('second');
  });

  it('answer a repeated request, open or commit as the first time, without applying anything twice', async () => {
    const served = await serve();
    await served.backend.createNamespace('again');
    const s = session(served, 'again');
    expect((await s.open()).status).toBe(200);
    expect((await s.open()).status).toBe(200);
    const items = [
      { key: 'x', value: '1' },
      { key: 'y', value: '2' },
    ];
    const once = await s.write(0, items);
    const twice = await s.write(0, items);
    expect(twice).toEqual(once);
    expect((await s.write(1, [{ key: 'z', value: '3' }])).status).toBe(200);
    expect((await s.commit()).body.result).toEqual({ successful_key_count: 3 });
    expect((await s.commit()).body.result).toEqual({ successful_key_count: 3 });
    expect(await keyCount(served, 'again')).toBe(3);

    const late = await s.write(2, [{ key: 'w', value: '4' }]);
    expect(late.status).toBe(409);
    expect(late.body.errors[0]).toMatchObject({ code: 10121, message: `bulk session ${s.id} was committed already` });
    expect((await s.abort()).status).toBe(409);
    expect(await keyCount(served, 'again')).toBe(3);
  });

  it('a request received twice while it waits for its turn is applied once, and the requests after it still wait for theirs', async () => {
    const served = await serve();
    await served.backend.createNamespace('twice');
    const s = session(served, 'twice');
    await s.open();
    const one = [{ key: 'one', value: '1' }];
    const firstCopy = s.write(1, one);
    const secondCopy = s.write(1, one);
    const two = s.write(2, [{ key: 'two', value: '2' }]);
    expect((await s.write(0, [{ key: 'zero', value: '0' }])).status).toBe(200);
    const [a, b, c] = await Promise.all([firstCopy, secondCopy, two]);
    expect(b).toEqual(a);
    expect(a.body.result).toEqual({ successful_key_count: 1, unsuccessful_keys: [] });
    expect(c.status).toBe(200);
    expect((await s.commit()).body.result).toEqual({ successful_key_count: 3 });
    expect(await keyCount(served, 'twice')).toBe(3);
  });

  it('an open that waits too long for a namespace another session holds is answered "busy" (409), and never takes it later', async () => {
    const served = await serve({ bulkSessions: { openWaitMs: 300 } });
    await served.backend.createNamespace('contended');
    const holder = session(served, 'contended');
    await holder.open();
    await holder.write(0, [{ key: 'held', value: 'h' }]);
    const late = await session(served, 'contended').open();
    expect(late.status).toBe(409);
    expect(late.body.errors[0]).toEqual({
      code: 10122,
      message:
        "namespace 'contended' is busy: another bulk session (an import, copy or sync) has held it for too long; try again when it is done",
    });
    // kvadm's import says the same, exit 4 (conflict).
    const client = new HttpBackend({ url: served.url });
    try {
      const file = path.join(tempDir('sessions-busy'), 'in.jsonl');
      fs.writeFileSync(file, '{"key":"k","value":"v"}\n');
      const kv = await KV.open('contended', { backend: client });
      const error = await importEntries(kv, { kind: 'file', path: file }, { format: 'jsonl' }).catch((e: unknown) => e);
      expect(error).toMatchObject({ code: 'NAMESPACE_BUSY', exitCode: 4 });
    } finally {
      await client.close();
    }
    await holder.commit();
    // The given-up sessions handed the namespace back: it takes writes.
    expect((await call('PUT', `${served.root}/contended/bulk`, [{ key: 'after', value: 'a' }])).status).toBe(200);
    expect(await keyCount(served, 'contended')).toBe(2);
  });

  it('abort: nothing of the session is written, and aborting again is harmless', async () => {
    const served = await serve();
    await served.backend.createNamespace('dropped');
    await served.backend.put('dropped', { key: 'kept', value: Buffer.from('before'), expiration: null, metadata: null });
    const s = session(served, 'dropped');
    await s.open();
    await s.write(0, [
      { key: 'kept', value: 'overwritten?' },
      { key: 'new', value: 'n' },
    ]);
    expect((await s.abort()).status).toBe(200);
    expect((await s.abort()).status).toBe(200);
    expect(await servedValue(served, 'dropped', 'kept')).toBe('before');
    expect(await servedValue(served, 'dropped', 'new')).toBeNull();
    const after = await s.write(1, [{ key: 'x', value: 'x' }]);
    expect(after.status).toBe(404);
    expect(after.body.errors[0]).toMatchObject({ code: 10120, message: `bulk session ${s.id} was aborted; nothing of it was written` });
  });

  it('a request the server refuses ends the session with that error: later requests get it too, and nothing is written', async () => {
    const served = await serve();
    await served.backend.createNamespace('refused');
    const s = session(served, 'refused');
    await s.open();
    expect((await s.write(0, [{ key: 'good', value: 'g' }])).status).toBe(200);
    const bad = await s.write(1, [{ key: '', value: 'empty key' }]);
    expect(bad.status).toBe(400);
    expect(bad.body.errors[0]?.code).toBe(10101);
    expect(bad.body.errors[0]?.message).toBe('item 0 (key ""): Key names must not be empty.');
    const later = await s.write(2, [{ key: 'x', value: 'x' }]);
    expect(later.status).toBe(400);
    expect(later.body.errors[0]?.code).toBe(10101);
    expect(later.body.errors[0]?.message).toBe(
      `bulk session ${s.id} ended, nothing of it was written: item 0 (key ""): Key names must not be empty.`,
    );
    expect((await s.commit()).status).toBe(400);
    expect(await keyCount(served, 'refused')).toBe(0);
    // The namespace takes writes again.
    expect((await call('PUT', `${served.root}/refused/bulk`, [{ key: 'after', value: 'a' }])).status).toBe(200);
  });

  it('delete keys in the same order as the writes, visible only at the commit', async () => {
    const served = await serve();
    await served.backend.createNamespace('deletes');
    await served.backend.put('deletes', { key: 'old', value: Buffer.from('o'), expiration: null, metadata: null });
    const s = session(served, 'deletes');
    await s.open();
    const base = `${served.root}/deletes/bulk/delete`;
    // Request 1 deletes what request 0 writes: applied in order, nothing of "new" is left.
    const deleting = call('POST', `${base}?session=${s.id}&seq=1`, ['old', 'new', 'never-there']);
    await s.write(0, [{ key: 'new', value: 'n' }]);
    expect((await deleting).body.result).toEqual({ successful_key_count: 2, unsuccessful_keys: [] });
    expect(await servedValue(served, 'deletes', 'old')).toBe('o');
    expect((await s.commit()).body.result).toEqual({ successful_key_count: 3 });
    expect(await keyCount(served, 'deletes')).toBe(0);
  });

  it("kvadm's client keeps its session open while it waits, for longer than the server's idle time", async () => {
    const served = await serve({ bulkSessions: { idleMs: 1000 } });
    const client = new HttpBackend({ url: served.url });
    try {
      await served.backend.createNamespace('kept');
      const writer = await client.bulkWriter('kept', { staged: true });
      expect(writer).toMatchObject({ atomic: true, session: true });
      await writer.write([{ key: 'k', value: Buffer.from('v'), expiration: null, metadata: null }]);
      // Twice the idle time with nothing to send: the client's touches keep the session.
      await new Promise((resolve) => setTimeout(resolve, 2000));
      await writer.commit();
      expect(await servedValue(served, 'kept', 'k')).toBe('v');
    } finally {
      await client.close();
    }
  });

  it('a session that hears nothing for its idle time is aborted, and the namespace takes writes again', async () => {
    const served = await serve({ bulkSessions: { idleMs: 300 } });
    await served.backend.createNamespace('idle');
    const s = session(served, 'idle');
    expect((await s.open()).body.result).toMatchObject({ idle_ms: 300 });
    await s.write(0, [{ key: 'staged', value: 's' }]);
    // This write waits for the namespace, which the session holds until it is aborted.
    expect((await call('PUT', `${served.root}/idle/bulk`, [{ key: 'waited', value: 'w' }])).status).toBe(200);
    const commit = await s.commit();
    expect(commit.status).toBe(404);
    expect(commit.body.errors[0]?.message).toBe(
      `bulk session ${s.id} was aborted after a time without requests; nothing of it was written`,
    );
    expect(await servedValue(served, 'idle', 'staged')).toBeNull();
    expect(await servedValue(served, 'idle', 'waited')).toBe('w');
  });

  it('a request waiting for a predecessor that never comes does not keep its session from timing out', async () => {
    const served = await serve({ bulkSessions: { idleMs: 300 } });
    await served.backend.createNamespace('orphan');
    const s = session(served, 'orphan');
    await s.open();
    const waiting = s.write(1, [{ key: 'never', value: 'n' }]);
    // This write waits for the namespace until the session is aborted.
    expect((await call('PUT', `${served.root}/orphan/bulk`, [{ key: 'after', value: 'a' }])).status).toBe(200);
    const answer = await waiting;
    expect(answer.status).toBe(404);
    expect(answer.body.errors[0]?.message).toBe(
      `bulk session ${s.id} was aborted after a time without requests; nothing of it was written`,
    );
    expect(await servedValue(served, 'orphan', 'never')).toBeNull();
  });

  it('reads go on while a session holds the namespace, also the first read that opens it', async () => {
    const dataDir = tempDir('sessions-read');
    let now = Date.now();
    const seed = new LocalBackend({ dataDir });
    await seed.createNamespace('reading');
    // Live when the session opens, expired by the first read: opening the namespace for that
    // read sweeps it, which takes the write lock the session holds.
    await seed.put('reading', { key: 'soon', value: Buffer.from('s'), expiration: Math.floor(now / 1000) + 100, metadata: null });
    await seed.put('reading', { key: 'kept', value: Buffer.from('k'), expiration: null, metadata: null });
    await seed.close();
    const served = await serve({ clock: () => now }, dataDir, { busyTimeoutMs: 1000, clock: () => now });
    const s = session(served, 'reading');
    expect((await s.open()).status).toBe(200);
    await s.write(0, [{ key: 'staged', value: 's' }]);
    now += 200_000;
    expect(await servedValue(served, 'reading', 'kept')).toBe('k');
    expect(await servedValue(served, 'reading', 'soon')).toBeNull();
    expect(await servedValue(served, 'reading', 'staged')).toBeNull();
    await s.commit();
    expect(await servedValue(served, 'reading', 'staged')).toBe('s');
  });

  it('a session waiting for its namespace behind an idle one opens once that one is aborted', async () => {
    const served = await serve({ bulkSessions: { idleMs: 300 } });
    await served.backend.createNamespace('queue');
    const first = session(served, 'queue');
    await first.open();
    await first.write(0, [{ key: 'first', value: '1' }]);
    const second = session(served, 'queue');
    expect((await second.open()).status).toBe(200);
    expect((await second.write(0, [{ key: 'second', value: '2' }])).status).toBe(200);
    expect((await second.commit()).body.result).toEqual({ successful_key_count: 1 });
    expect((await first.commit()).status).toBe(404);
    expect(await servedValue(served, 'queue', 'first')).toBeNull();
    expect(await servedValue(served, 'queue', 'second')).toBe('2');
  });

  it('closing the server aborts its sessions and answers the requests waiting for their turn', async () => {
    const dataDir = tempDir('sessions-close');
    const served = await serve({}, dataDir);
    await served.backend.createNamespace('closing');
    const s = session(served, 'closing');
    await s.open();
    await s.write(0, [{ key: 'staged', value: 's' }]);
    let requests = 0;
    const arrived = new Promise((resolve) => served.app.server.on('request', () => ++requests === 2 && resolve(undefined)));
    // Request 2 waits for request 1, which never comes; another session waits for the namespace.
    const waiting = s.write(2, [{ key: 'never', value: 'n' }]);
    const queued = session(served, 'closing').open();
    await arrived;
    running.splice(running.indexOf(served), 1);
    const closed = served.app.close();
    const answer = await waiting;
    expect(answer.status).toBe(503);
    expect(answer.body.errors[0]).toEqual({
      code: 10120,
      message: `bulk session ${s.id} was aborted: the server is shutting down; nothing of it was written`,
    });
    const refused = await queued;
    expect(refused.status).toBe(503);
    expect(refused.body.errors[0]?.message).toBe('the server is shutting down: no bulk session opens now');
    await closed;
    await served.backend.close();
    const reopened = new LocalBackend({ dataDir });
    expect((await reopened.namespaceInfo('closing')).keyCount).toBe(0);
    await reopened.close();
  });

  it('refuses a malformed session id, a missing sequence number and an unknown namespace', async () => {
    const served = await serve();
    await served.backend.createNamespace('checks');
    const short = await call('PUT', `${served.root}/checks/bulk/sessions/abc`);
    expect(short.status).toBe(400);
    expect(short.body.errors[0]?.message).toMatch(/invalid bulk session id "abc": use 16 to 64 characters/);
    const s = session(served, 'checks');
    await s.open();
    const noSeq = await call('PUT', `${served.root}/checks/bulk?session=${s.id}`, [{ key: 'k', value: 'v' }]);
    expect(noSeq.status).toBe(400);
    expect(noSeq.body.errors[0]?.message).toMatch(/needs seq=N/);
    const elsewhere = await call('PUT', `${served.root}/nope/bulk/sessions/${s.id}x`);
    expect(elsewhere.status).toBe(404);
    expect(elsewhere.body.errors[0]?.code).toBe(10013);
    const unknown = await session(served, 'checks').commit();
    expect(unknown.status).toBe(404);
    expect(unknown.body.errors[0]?.code).toBe(10120);
    await s.abort();
  });

  it('with the per-key write limit: a key repeated in the session is one write, a key written by another client just before is refused', async () => {
    let now = Date.now();
    const served = await serve({ writeLimit: true, clock: () => now });
    await served.backend.createNamespace('limited');
    expect((await call('PUT', `${served.root}/limited/bulk`, [{ key: 'busy', value: 'other client' }])).status).toBe(200);
    const s = session(served, 'limited');
    await s.open();
    expect((await s.write(0, [{ key: 'twice', value: '1' }])).body.result).toEqual({ successful_key_count: 1, unsuccessful_keys: [] });
    expect(
      (
        await s.write(1, [
          { key: 'twice', value: '2' },
          { key: 'busy', value: 'session' },
        ])
      ).body.result,
    ).toEqual({ successful_key_count: 1, unsuccessful_keys: ['busy'] });
    now += 1000;
    expect((await s.write(2, [{ key: 'busy', value: 'session' }])).body.result).toEqual({ successful_key_count: 1, unsuccessful_keys: [] });
    await s.commit();
    expect(await servedValue(served, 'limited', 'twice')).toBe('2');
    expect(await servedValue(served, 'limited', 'busy')).toBe('session');
  });
});

describe("kvadm's client on a session the server ended", () => {
  it('says what happened to the session (exit 1), not that the URL is wrong', async () => {
    const opened: string[] = [];
    const served = await serve({
      accessLog: (line) => {
        const id = / PUT \S+\/bulk\/sessions\/(\S+) 200 /.exec(line)?.[1];
        if (id) opened.push(id);
      },
    });
    const client = new HttpBackend({ url: served.url });
    try {
      await served.backend.createNamespace('ended');
      const writer = await client.bulkWriter('ended', { staged: true });
      const id = opened[0] as string;
      expect((await session(served, 'ended', id).abort()).status).toBe(200);
      const error = await writer.write([{ key: 'k', value: Buffer.from('v'), expiration: null, metadata: null }]).catch((e: unknown) => e);
      expect(error).toMatchObject({
        exitCode: 1,
        message: `${served.url}: bulk session ${id} was aborted; nothing of it was written`,
      });
      await writer.abort();
    } finally {
      await client.close();
    }
  });
});

describe('importing into kvadm serve', () => {
  function jsonl(count: number, bad?: number): string {
    let text = '';
    for (let i = 0; i < count; i++) {
      text += `${JSON.stringify(i === bad ? { key: 'k', value: 'x', expiration_ttl: 5 } : { key: `k${String(i).padStart(6, '0')}`, value: `v${i}` })}\n`;
    }
    return text;
  }

  it('is all or nothing: an invalid last entry leaves the namespace as it was; a valid file lands whole, through one session', async () => {
    const log: string[] = [];
    const served = await serve({ accessLog: (line) => log.push(line) });
    const client = new HttpBackend({ url: served.url });
    try {
      const kv = await KV.create('whole', { backend: client });
      const dir = tempDir('sessions-import');
      const badFile = path.join(dir, 'bad.jsonl');
      fs.writeFileSync(badFile, jsonl(12_000, 11_999));
      const refused = await importEntries(kv, { kind: 'file', path: badFile }, { format: 'jsonl' }).catch((error: unknown) => error);
      expect(refused).toBeInstanceOf(InvalidEntriesError);
      expect(await keyCount(served, 'whole')).toBe(0);

      const goodFile = path.join(dir, 'good.jsonl');
      fs.writeFileSync(goodFile, jsonl(12_000));
      const summary = await importEntries(kv, { kind: 'file', path: goodFile }, { format: 'jsonl' });
      expect(summary).toMatchObject({ entries: 12_000, written: 12_000, failed: 0, atomic: true });
      expect(await keyCount(served, 'whole')).toBe(12_000);
      const routes = log.map((line) =>
        line
          .split(' ')
          .slice(2, 5)
          .join(' ')
          .replace(/sessions\/[^/ ]+/, 'sessions/ID'),
      );
      // The invalid file's session was aborted, the valid one's committed.
      expect(routes.filter((route) => route.includes('/sessions/'))).toEqual([
        'PUT /client/v4/accounts/local/storage/kv/namespaces/whole/bulk/sessions/ID 200',
        'DELETE /client/v4/accounts/local/storage/kv/namespaces/whole/bulk/sessions/ID 200',
        'PUT /client/v4/accounts/local/storage/kv/namespaces/whole/bulk/sessions/ID 200',
        'POST /client/v4/accounts/local/storage/kv/namespaces/whole/bulk/sessions/ID/commit 200',
      ]);
    } finally {
      await client.close();
    }
  });

  it('from a server without sessions, writes as it goes after checking everything (not atomic), as before', async () => {
    const served = await serve({ bulkSessions: false });
    const client = new HttpBackend({ url: served.url });
    try {
      const kv = await KV.create('as-it-goes', { backend: client });
      const file = path.join(tempDir('sessions-none'), 'in.jsonl');
      fs.writeFileSync(file, jsonl(3000, 2999));
      await expect(importEntries(kv, { kind: 'file', path: file }, { format: 'jsonl' })).rejects.toBeInstanceOf(InvalidEntriesError);
      expect(await keyCount(served, 'as-it-goes')).toBe(0);
      fs.writeFileSync(file, jsonl(3000));
      const summary = await importEntries(kv, { kind: 'file', path: file }, { format: 'jsonl' });
      expect(summary).toMatchObject({ entries: 3000, written: 3000, atomic: false });
      expect(await keyCount(served, 'as-it-goes')).toBe(3000);
    } finally {
      await client.close();
    }
  });
});

describe('copying into kvadm serve', () => {
  it('is one session: an SRC entry DST would refuse leaves DST as it was (the namespace it made removed); a good copy lands whole', async () => {
    const log: string[] = [];
    const served = await serve({ accessLog: (line) => log.push(line) });
    const source = new LocalBackend({ dataDir: tempDir('sessions-copy-src') });
    const client = new HttpBackend({ url: served.url });
    try {
      await source.createNamespace('src');
      const now = Date.now();
      const entries = Array.from({ length: 15_000 }, (_, i) => ({
        key: `k${String(i).padStart(6, '0')}`,
        value: Buffer.from(`v${i}`),
        // The last one expires in 30 s: DST would refuse it (at least 60 s ahead).
        expiration: i === 14_999 ? Math.floor(now / 1000) + 30 : null,
        metadata: null,
      }));
      const writer = await source.bulkWriter('src');
      await writer.write(entries);
      await writer.commit();
      const src = { backend: source, namespace: 'src', label: 'src' };
      const dst = { backend: client, namespace: 'dst', label: 'remote:dst' };

      const refused = await copyStore(src, dst, { createNamespace: true });
      expect(refused).toMatchObject({ applied: false, written: 0, invalidCount: 1, atomic: true });
      expect(refused.invalid[0]).toMatchObject({ key: 'k014999', code: 'EXPIRATION_INVALID' });
      expect(await served.backend.namespaceExists('dst')).toBe(false);

      await source.delete('src', 'k014999');
      const copied = await copyStore(src, dst, { createNamespace: true });
      expect(copied).toMatchObject({ applied: true, entries: 14_999, written: 14_999, atomic: true, createdNamespace: true });
      expect(await keyCount(served, 'dst')).toBe(14_999);
      const sessionRoutes = log.filter((line) => line.includes('/sessions/')).map((line) => line.split(' ')[2]);
      expect(sessionRoutes).toEqual(['PUT', 'DELETE', 'PUT', 'POST']);
    } finally {
      await client.close();
      await source.close();
    }
  });
});
