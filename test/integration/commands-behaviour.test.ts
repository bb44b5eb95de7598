// Every command, through the real binary, on every backend: the same stdout, messages
// and exit codes whether the store is local or behind `kvadm serve`.
import { describe, expect, it } from 'vitest';
import { forEachBackend } from '../backends.js';
import { runCommand } from '../run-command.js';

forEachBackend('commands', (target) => {
  const kv = (args: string[], input?: string | Uint8Array) =>
    runCommand(args, { env: target.env(), ...(input === undefined ? {} : { input }) });

  describe('ns', () => {
    it('creates, lists, shows, renames and deletes namespaces with the documented exit codes', async () => {
      expect((await kv(['ns', 'create', 'cmd-users'])).code).toBe(0);
      const again = await kv(['ns', 'create', 'cmd-users']);
      expect(again.code).toBe(4);
      expect(again.stderr).toContain("namespace 'cmd-users' already exists");
      expect((await kv(['ns', 'list'])).stdout.split('\n')).toEqual(expect.arrayContaining(['cmd-users', 'default']));
      expect((await kv(['kv', 'put', '-n', 'cmd-users', 'a', 'xyz'])).code).toBe(0);
      const info = await kv(['ns', 'info', 'cmd-users', '--json']);
      expect(JSON.parse(info.stdout)).toEqual({ name: 'cmd-users', keyCount: 1, storedBytes: 4, expiredKeys: 0 });
      if (target.supports('namespace-rename')) {
        expect((await kv(['ns', 'rename', 'cmd-users', 'cmd-people'])).code).toBe(0);
        expect((await kv(['ns', 'rename', 'cmd-users', 'cmd-x'])).code).toBe(3);
        expect((await kv(['ns', 'rename', 'cmd-people', 'default'])).code).toBe(4);
      } else {
        // Azion has no rename: the command says so and changes nothing.
        const rename = await kv(['ns', 'rename', 'cmd-users', 'cmd-people']);
        expect(rename.code).toBe(2);
        expect(rename.stderr).toContain('Azion KV cannot rename a namespace');
        expect((await kv(['kv', 'put', '-n', 'cmd-people', 'x', 'y'])).code).toBe(3);
        expect((await kv(['ns', 'create', 'cmd-people'])).code).toBe(0);
        expect((await kv(['kv', 'put', '-n', 'cmd-people', 'a', 'xyz'])).code).toBe(0);
      }
      expect((await kv(['kv', 'get', '-n', 'cmd-people', 'a'])).stdout).toBe('xyz');
      expect((await kv(['ns', 'delete', 'cmd-people'])).code).toBe(2);
      expect((await kv(['ns', 'delete', 'cmd-people', '--force'])).code).toBe(0);
      const gone = await kv(['ns', 'info', 'cmd-people']);
      expect(gone.code).toBe(3);
      expect(gone.stderr).toContain("namespace 'cmd-people' not found");
      expect((await kv(['ns', 'create', '.bad'])).code).toBe(2);
    });
  });

  describe('kv', () => {
    it('puts and gets text, binary, metadata and TTLs', async () => {
      expect((await kv(['ns', 'create', 'cmd-kv'])).code).toBe(0);
      const put = await kv(['kv', 'put', '-n', 'cmd-kv', 'greeting', 'héllo', '--ttl', '1h', '--metadata', '{"lang":"fr"}', '--json']);
      expect(put.code, put.stderr).toBe(0);
      const putResult = JSON.parse(put.stdout);
      expect(putResult).toMatchObject({ namespace: 'cmd-kv', key: 'greeting', bytes: 6, metadata: { lang: 'fr' } });
      const got = await kv(['kv', 'get', '-n', 'cmd-kv', 'greeting', '--json']);
      expect(JSON.parse(got.stdout)).toEqual({
        key: 'greeting',
        value: 'héllo',
        metadata: { lang: 'fr' },
        expiration: putResult.expiration,
      });
      expect((await kv(['kv', 'get', '-n', 'cmd-kv', 'greeting'])).stdout).toBe('héllo');

      const binary = Buffer.from([0, 1, 0xff, 0xfe, 10, 13, 0x80]);
      expect((await kv(['kv', 'put', '-n', 'cmd-kv', 'bin', '-'], binary)).code).toBe(0);
      const raw = await kv(['kv', 'get', '-n', 'cmd-kv', 'bin']);
      expect(raw.stdoutBytes).toEqual(binary);
      const withMeta = await kv(['kv', 'get', '-n', 'cmd-kv', 'bin', '--with-metadata']);
      expect(JSON.parse(withMeta.stdout)).toEqual({
        key: 'bin',
        value: binary.toString('base64'),
        base64: true,
        metadata: null,
        expiration: null,
      });

      const missing = await kv(['kv', 'get', '-n', 'cmd-kv', 'nope']);
      expect(missing.code).toBe(3);
      expect(missing.stdout).toBe('');
      expect(missing.stderr).toMatch(/key .nope. not found in namespace .cmd-kv./);
      expect((await kv(['kv', 'get', '-n', 'cmd-kv', 'greeting', '--cache-ttl', '30'])).code).toBe(2);
      expect((await kv(['kv', 'get', '-n', 'cmd-kv', 'greeting', '--cache-ttl', '60'])).stdout).toBe('héllo');
      expect((await kv(['kv', 'get', '-n', 'missing-ns', 'k'])).code).toBe(3);
    });

    it('refuses values over the limits with exit 2 and the same message', async () => {
      expect((await kv(['ns', 'create', 'cmd-limits'])).code).toBe(0);
      const ttl = await kv(['kv', 'put', '-n', 'cmd-limits', 'k', 'v', '--ttl', '59']);
      expect(ttl.code).toBe(2);
      expect(ttl.stderr).toContain('Invalid expiration_ttl of 59. Expiration TTL must be at least 60.');
      const longKey = await kv(['kv', 'put', '-n', 'cmd-limits', 'k'.repeat(513), 'v']);
      expect(longKey.code).toBe(2);
      expect(longKey.stderr).toContain('UTF-8 encoded length of 513 exceeds key length limit of 512.');
      const meta = await kv(['kv', 'put', '-n', 'cmd-limits', 'k', 'v', '--metadata', JSON.stringify({ x: 'y'.repeat(1100) })]);
      expect(meta.code).toBe(2);
      expect(meta.stderr).toContain('exceeds limit of 1024');
    });

    it('lists with prefix, limit, cursor and --all; deletes and reports missing keys', async () => {
      expect((await kv(['ns', 'create', 'cmd-list'])).code).toBe(0);
      for (const key of ['a:1', 'a:2', 'a:3', 'b:1']) expect((await kv(['kv', 'put', '-n', 'cmd-list', key, 'v'])).code).toBe(0);
      expect((await kv(['kv', 'list', '-n', 'cmd-list'])).stdout).toBe('a:1\na:2\na:3\nb:1\n');
      expect((await kv(['kv', 'list', '-n', 'cmd-list', '--prefix', 'a:'])).stdout).toBe('a:1\na:2\na:3\n');
      const page = await kv(['kv', 'list', '-n', 'cmd-list', '--limit', '2', '--json']);
      const first = JSON.parse(page.stdout);
      expect(first.keys.map((k: { name: string }) => k.name)).toEqual(['a:1', 'a:2']);
      expect(first.list_complete).toBe(false);
      const next = await kv(['kv', 'list', '-n', 'cmd-list', '--limit', '2', '--cursor', first.cursor]);
      expect(next.stdout).toBe('a:3\nb:1\n');
      // A made-up or mangled cursor is refused (exit 2), never read as "start after this key".
      const garbage = await kv(['kv', 'list', '-n', 'cmd-list', '--cursor', 'garbage']);
      expect(garbage.code).toBe(2);
      expect(garbage.stdout).toBe('');
      expect(garbage.stderr).toContain('invalid cursor "garbage"');
      expect((await kv(['kv', 'list', '-n', 'cmd-list', '--all'])).stdout).toBe('a:1\na:2\na:3\nb:1\n');
      const deleted = await kv(['kv', 'delete', '-n', 'cmd-list', 'a:1', 'zz', '--json']);
      expect(JSON.parse(deleted.stdout)).toMatchObject({ namespace: 'cmd-list', deleted: 1, missing: ['zz'] });
      const sweep = await kv(['kv', 'sweep', '-n', 'cmd-list', '--json']);
      expect(JSON.parse(sweep.stdout)).toEqual({ namespace: 'cmd-list', deleted: 0, nextExpiration: null });
    });
  });
});

describe('the http backend when the server is unreachable', () => {
  it('exits 6 after its retries, naming the URL', async () => {
    const result = await runCommand(['kv', 'get', 'k'], {
      env: { KVADM_BACKEND: 'http', KVADM_URL: 'http://127.0.0.1:9/client/v4', KVADM_HTTP_RETRIES: '1' },
    });
    expect(result.code).toBe(6);
    expect(result.stderr).toContain('cannot reach http://127.0.0.1:9/client/v4');
    expect(result.stderr).toContain('after 2 attempts');
  });
});
