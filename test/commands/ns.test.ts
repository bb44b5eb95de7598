/** `kvadm ns …`, sweeping and global settings, in process (test/run-command.ts). */
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { LocalBackend } from '../../src/lib/backends/local.js';
import { KV } from '../../src/lib/kv.js';
import { commandSuitesOnLocal, forEachCommandTarget } from '../backends.js';
import { tempDir } from '../helpers.js';
import { runCommand } from '../run-command.js';

forEachCommandTarget('kvadm ns', (target) => {
  const cli = (args: string[]) => runCommand(args, { env: target.env() });

  it('create, list, info, delete --force', async () => {
    const created = await cli(['ns', 'create', 'users']);
    expect(created.code, created.stderr).toBe(0);
    expect(created.stdout).toBe('');
    expect(created.stderr).toContain("'users'");

    const list = await cli(['ns', 'list']);
    expect(list.code).toBe(0);
    expect(list.stdout.split('\n')).toEqual(expect.arrayContaining(['default', 'users']));
    expect(JSON.parse((await cli(['ns', 'list', '--json'])).stdout).namespaces).toEqual(expect.arrayContaining(['default', 'users']));

    await cli(['kv', 'put', 'ab', 'xyz', '-n', 'users']);
    await cli(['kv', 'put', 'é', '0123456789', '--metadata', '{"k":1}', '-n', 'users']);
    const info = await cli(['ns', 'info', 'users', '--json']);
    expect(info.code, info.stderr).toBe(0);
    expect(JSON.parse(info.stdout)).toEqual({ name: 'users', keyCount: 2, storedBytes: 24, expiredKeys: 0 });
    const human = await cli(['ns', 'info', 'users']);
    expect(human.stdout).toContain('keys:          2');
    expect(human.stdout).toContain('stored bytes:  24');
    // -n names the namespace when no argument does.
    expect(JSON.parse((await cli(['ns', 'info', '-n', 'users', '--json'])).stdout).keyCount).toBe(2);

    const deleted = await cli(['ns', 'delete', 'users', '--force']);
    expect(deleted.code, deleted.stderr).toBe(0);
    expect(deleted.stderr).toContain('2 keys');
    expect((await cli(['ns', 'list'])).stdout.split('\n')).not.toContain('users');
    expect((await cli(['kv', 'get', 'ab', '-n', 'users'])).code).toBe(3);
  });

  it('exit 4 when the namespace exists (default included), 2 for an invalid name', async () => {
    expect((await cli(['ns', 'create', 'dup'])).code).toBe(0);
    const again = await cli(['ns', 'create', 'dup']);
    expect(again.code).toBe(4);
    expect(again.stderr).toContain("'dup'");
    expect((await cli(['ns', 'create', 'default'])).code).toBe(4);
    const bad = ['bad/name', '.hidden', 'x'.repeat(65), 'sp ace', 'é'];
    const results = await Promise.all(bad.map((name) => cli(['ns', 'create', name])));
    for (const [i, result] of results.entries()) {
      expect(result.code, bad[i]).toBe(2);
      expect(result.stderr).toContain('64');
    }
    const json = await cli(['ns', 'create', 'dup', '--json']);
    expect(json.stdout).toBe('');
    expect(JSON.parse(json.stderr)).toMatchObject({ error: { code: 'NAMESPACE_EXISTS', namespace: 'dup' } });
  });

  it('delete needs --force off a terminal: exit 2 and nothing deleted', async () => {
    await cli(['ns', 'create', 'keepme']);
    await cli(['kv', 'put', 'k', 'v', '-n', 'keepme']);
    const refused = await cli(['ns', 'delete', 'keepme']);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('--force');
    expect((await cli(['kv', 'get', 'k', '-n', 'keepme'])).stdout).toBe('v');
  });

  it('deleting the default namespace says so and empties it', async () => {
    await cli(['kv', 'put', 'dk', 'v']);
    const deleted = await cli(['ns', 'delete', 'default', '-f']);
    expect(deleted.code, deleted.stderr).toBe(0);
    expect(deleted.stderr).toContain('default namespace');
    expect(deleted.stderr).toContain('created again');
    expect((await cli(['kv', 'get', 'dk'])).code).toBe(3);
    expect((await cli(['ns', 'list'])).stdout.split('\n')).toContain('default');
  });

  it('missing namespaces: info and delete exit 3; delete without a name exits 2', async () => {
    expect((await cli(['ns', 'info', 'ghost'])).code).toBe(3);
    expect((await cli(['ns', 'delete', 'ghost', '--force'])).code).toBe(3);
    expect((await cli(['ns', 'delete', '--force'])).code).toBe(2);
  });
});

describe.runIf(commandSuitesOnLocal())('settings: --data-dir and KVADM_DATA_DIR', () => {
  it('--data-dir wins over KVADM_DATA_DIR', async () => {
    const fromEnv = tempDir('env');
    const fromFlag = tempDir('flag');
    expect((await runCommand(['kv', 'put', 'k', 'env'], { env: { KVADM_DATA_DIR: fromEnv } })).code).toBe(0);
    expect((await runCommand(['kv', 'put', 'k', 'flag', '--data-dir', fromFlag], { env: { KVADM_DATA_DIR: fromEnv } })).code).toBe(0);
    expect((await runCommand(['kv', 'get', 'k'], { env: { KVADM_DATA_DIR: fromEnv } })).stdout).toBe('env');
    expect((await runCommand(['kv', 'get', 'k', '--data-dir', fromFlag])).stdout).toBe('flag');
    expect(fs.existsSync(path.join(fromFlag, 'namespaces', 'default.sqlite'))).toBe(true);
  });
});

describe.runIf(commandSuitesOnLocal())('exit 1: an unreadable store', () => {
  it('a namespace file that is not SQLite: one message naming the file, exit 1, no stack', async () => {
    const dir = tempDir('corrupt');
    fs.mkdirSync(path.join(dir, 'namespaces'));
    fs.writeFileSync(path.join(dir, 'namespaces', 'broken.sqlite'), 'this is not a database, just text that is long enough');
    const result = await runCommand(['kv', 'get', 'k', '-n', 'broken'], { env: { KVADM_DATA_DIR: dir } });
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain('broken.sqlite');
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });
});

describe.runIf(commandSuitesOnLocal())('expired keys through the commands (local store, written with a past clock)', () => {
  /** Keys that expired an hour ago, written by the library with a clock two hours back. */
  async function storeWithExpired(count: number): Promise<string> {
    const dir = tempDir('expired');
    const past = Date.now() - 2 * 3600_000;
    const backend = new LocalBackend({ dataDir: dir, clock: () => past });
    const kv = new KV('default', { backend, clock: () => past });
    const bulk = await backend.bulkWriter('default');
    const entries = [];
    for (let i = 0; i < count; i++) entries.push(await kv.prepareEntry(`gone${String(i).padStart(5, '0')}`, 'v', { expirationTtl: 3600 }));
    entries.push(await kv.prepareEntry('live', 'v'));
    await bulk.write(entries);
    await bulk.commit();
    await backend.close();
    return dir;
  }
  const rows = (dir: string) => {
    const db = new Database(path.join(dir, 'namespaces', 'default.sqlite'), { readonly: true });
    const n = (db.prepare('SELECT count(*) AS n FROM kv').get() as { n: number }).n;
    db.close();
    return n;
  };

  it('an expired key reads as missing (exit 3) and is not listed', async () => {
    const dir = await storeWithExpired(3);
    const env = { KVADM_DATA_DIR: dir };
    const get = await runCommand(['kv', 'get', 'gone00000'], { env });
    expect(get.code).toBe(3);
    expect(get.stdout).toBe('');
    expect((await runCommand(['kv', 'list'], { env })).stdout).toBe('live\n');
  });

  it('kv sweep removes the expired rows and reports how many', async () => {
    const dir = await storeWithExpired(3);
    expect(rows(dir)).toBe(4);
    const swept = await runCommand(['kv', 'sweep', '--json'], { env: { KVADM_DATA_DIR: dir } });
    expect(swept.code, swept.stderr).toBe(0);
    expect(JSON.parse(swept.stdout)).toEqual({ namespace: 'default', deleted: 3, nextExpiration: null });
    expect(rows(dir)).toBe(1);
    const human = await runCommand(['kv', 'sweep'], { env: { KVADM_DATA_DIR: dir } });
    expect(human.stderr).toContain('swept 0 expired keys');
  });

  it('opening sweeps at most 1000 rows; ns info shows the rest; ns info --sweep removes them', async () => {
    const dir = await storeWithExpired(1200);
    const env = { KVADM_DATA_DIR: dir };
    const info = await runCommand(['ns', 'info', '--json'], { env });
    expect(JSON.parse(info.stdout)).toEqual({ name: 'default', keyCount: 1, storedBytes: 5, expiredKeys: 200 });
    expect(rows(dir)).toBe(201);
    const sweep = await runCommand(['ns', 'info', 'default', '--sweep', '--json'], { env });
    expect(JSON.parse(sweep.stdout)).toEqual({
      name: 'default',
      keyCount: 1,
      storedBytes: 5,
      expiredKeys: 0,
      swept: 200,
      nextExpiration: null,
    });
    expect(rows(dir)).toBe(1);
  });
});
