/** `kvadm kv put` in process: values in and out, limits, expiry flags, metadata, exit codes and what is stored afterwards. */
import fs from 'node:fs';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { forEachCommandTarget } from '../../backends.js';
import { type CliResult, tempDir } from '../../helpers.js';
import { useNamespaces } from './namespaces.js';

forEachCommandTarget('kvadm kv put', (target) => {
  const { freshNamespace, keysOf, kvOf } = useNamespaces(target);

  describe('values in and out', () => {
    it('a 1 MiB random binary value piped in and out is byte-identical', async () => {
      const { kv, name } = await freshNamespace();
      const bytes = randomBytes(1024 * 1024);
      const put = await kv(['put', 'blob', '-'], bytes);
      expect(put.code, put.stderr).toBe(0);
      expect(put.stdout).toBe('');
      const get = await kv(['get', 'blob']);
      expect(get.code, get.stderr).toBe(0);
      expect(get.stdoutBytes.equals(bytes)).toBe(true);

      // Also through --file and --out.
      const dir = tempDir('bin');
      fs.writeFileSync(path.join(dir, 'in.bin'), bytes);
      expect((await kv(['put', 'blob2', '--file', path.join(dir, 'in.bin')])).code).toBe(0);
      const out = await kv(['get', 'blob2', '--out', path.join(dir, 'out.bin')]);
      expect(out.code, out.stderr).toBe(0);
      expect(out.stdout).toBe('');
      expect(fs.readFileSync(path.join(dir, 'out.bin')).equals(bytes)).toBe(true);
      expect(await keysOf(name)).toEqual(['blob', 'blob2']);
    });

    it('"-" reads stdin; an empty stdin stores an empty value (0 bytes)', async () => {
      const { kv } = await freshNamespace();
      expect((await kv(['put', 'dash', '-'], 'from stdin')).code).toBe(0);
      expect((await kv(['get', 'dash'])).stdout).toBe('from stdin');
      expect((await kv(['put', 'file-dash', '--file', '-'], 'also stdin')).code).toBe(0);
      expect((await kv(['get', 'file-dash'])).stdout).toBe('also stdin');
      const empty = await kv(['put', 'empty', '-']);
      expect(empty.code, empty.stderr).toBe(0);
      const get = await kv(['get', 'empty']);
      expect(get.code).toBe(0);
      expect(get.stdoutBytes.byteLength).toBe(0);
      const json = await kv(['get', 'empty', '--json']);
      expect(JSON.parse(json.stdout)).toMatchObject({ key: 'empty', value: '' });
    });

    it('unicode keys with "/", spaces and emoji round-trip and list one a line', async () => {
      const { kv, name } = await freshNamespace();
      const keys = ['a/b/c', 'with space', ' lead', '日本語/キー', '👩‍👩‍👧 family/😀', 'é/ü ö'];
      // Independent commands run side by side to keep the suite quick.
      const puts = await Promise.all(keys.map((key, i) => kv(['put', key, `value ${i} ✓`])));
      for (const put of puts) expect(put.code, put.stderr).toBe(0);
      const gets = await Promise.all(keys.map((key) => kv(['get', key])));
      expect(gets.map((get) => get.stdout)).toEqual(keys.map((_, i) => `value ${i} ✓`));
      const listed = await kv(['list']);
      const byteOrder = [...keys].sort((x, y) => Buffer.compare(Buffer.from(x), Buffer.from(y)));
      expect(listed.stdout).toBe(byteOrder.map((k) => `${k}\n`).join(''));
      expect(await keysOf(name)).toEqual(byteOrder);
    });

    it('stdin is data only: a trailing newline is kept and a missing argument is never read from stdin', async () => {
      const { kv, name } = await freshNamespace();
      expect((await kv(['put', 'nl', '-'], 'line one\nline two\n')).code).toBe(0);
      expect((await kv(['get', 'nl'])).stdout).toBe('line one\nline two\n');
      expect((await kv(['put', 'ws', '-'], '  padded  ')).code).toBe(0);
      expect((await kv(['get', 'ws'])).stdout).toBe('  padded  ');
      // Without a key argument, piped text must not become the key.
      const get = await kv(['get'], 'nl\n');
      expect(get.code).toBe(2);
      expect(get.stdout).toBe('');
      const del = await kv(['delete'], 'nl\n');
      expect(del.code).toBe(2);
      expect(await keysOf(name)).toEqual(['nl', 'ws']);
    });

    it('an argument value is stored as its UTF-8 text; get adds no newline', async () => {
      const { kv } = await freshNamespace();
      await kv(['put', 'k', 'héllo\nworld']);
      const get = await kv(['get', 'k']);
      expect(get.stdoutBytes.equals(Buffer.from('héllo\nworld'))).toBe(true);
    });
  });

  describe('limits', () => {
    it('a key of exactly 512 bytes (multi-byte) as an argument is written; 513 is refused naming key, limit and size', async () => {
      const { kv, name } = await freshNamespace();
      const k512 = `${'€'.repeat(170)}ab`;
      const ok = await kv(['put', k512, 'v']);
      expect(ok.code, ok.stderr).toBe(0);
      expect((await kv(['get', k512])).stdout).toBe('v');

      const k513 = '€'.repeat(171);
      const refused = await kv(['put', k513, 'v']);
      expect(refused.code).toBe(2);
      expect(refused.stdout).toBe('');
      expect(refused.stderr).toContain('"€€€€€€');
      expect(refused.stderr).toContain('512');
      expect(refused.stderr).toContain('513');
      expect(await keysOf(name)).toEqual([k512]);
    });

    it('the empty key, "." and ".." are refused with exit 2', async () => {
      const { kv, name } = await freshNamespace();
      const results = await Promise.all(['', '.', '..'].map((key) => kv(['put', key, 'v'])));
      for (const result of results) {
        expect(result.code).toBe(2);
        expect(result.stderr).toMatch(/key/);
      }
      expect(await keysOf(name)).toEqual([]);
    });

    it('metadata of 1025 bytes is refused naming key, limit and size; 1024 is written', async () => {
      const { kv, name } = await freshNamespace();
      const meta = (bytes: number) => JSON.stringify({ a: 'x'.repeat(bytes - 8) });
      expect((await kv(['put', 'm1024', 'v', '--metadata', meta(1024)])).code).toBe(0);
      const refused = await kv(['put', 'm1025', 'v', '--metadata', meta(1025)]);
      expect(refused.code).toBe(2);
      expect(refused.stderr).toContain('"m1025"');
      expect(refused.stderr).toContain('1024');
      expect(refused.stderr).toContain('1025');
      expect(await keysOf(name)).toEqual(['m1024']);
      expect((await kv(['put', 'bad', 'v', '--metadata', '{nope'])).code).toBe(2);
    });

    it('a file of 25 MiB + 1 byte is refused naming key, limit and size, and nothing is written', async () => {
      const { kv, name } = await freshNamespace();
      const file = path.join(tempDir('big'), 'big.bin');
      fs.writeFileSync(file, '');
      fs.truncateSync(file, 26_214_401);
      const refused = await kv(['put', 'huge', '--file', file]);
      expect(refused.code).toBe(2);
      expect(refused.stderr).toContain('"huge"');
      expect(refused.stderr).toContain('26214400');
      expect(refused.stderr).toContain('26214401');
      expect(await keysOf(name)).toEqual([]);
    });

    it('--json: the error goes to stderr as JSON with code, key, limit and actual; stdout stays empty', async () => {
      const { kv } = await freshNamespace();
      const result = await kv(['put', 'x'.repeat(513), 'v', '--json']);
      expect(result.code).toBe(2);
      expect(result.stdout).toBe('');
      const { error } = JSON.parse(result.stderr) as { error: Record<string, unknown> };
      expect(error).toMatchObject({ code: 'KEY_TOO_LONG', key: 'x'.repeat(513), limit: 512, actual: 513 });
      expect(typeof error.hint).toBe('string');
    });
  });

  describe('expiry flags', () => {
    async function expirationOf(kv: (args: string[]) => Promise<CliResult>, key: string): Promise<number | null> {
      const got = await kv(['get', key, '--json']);
      expect(got.code, got.stderr).toBe(0);
      return (JSON.parse(got.stdout) as { expiration: number | null }).expiration;
    }

    it('--ttl takes seconds and durations', async () => {
      const { kv, name } = await freshNamespace();
      const cases: Array<[string, number]> = [
        ['60', 60],
        ['90', 90],
        ['15m', 900],
        ['1h', 3600],
        ['7d', 604_800],
        ['1h30m', 5400],
      ];
      const before = Math.floor(Date.now() / 1000);
      const puts = await Promise.all(cases.map(([ttl]) => kv(['put', `ttl-${ttl}`, 'v', '--ttl', ttl, '--json'])));
      const after = Math.floor(Date.now() / 1000);
      for (const [i, [ttl, seconds]] of cases.entries()) {
        const put = puts[i] as CliResult;
        expect(put.code, put.stderr).toBe(0);
        const expiration = (JSON.parse(put.stdout) as { expiration: number }).expiration;
        expect(expiration).toBeGreaterThanOrEqual(before + seconds);
        expect(expiration).toBeLessThanOrEqual(after + seconds);
        expect((await kvOf(name).getEntry(`ttl-${ttl}`))?.expiration).toBe(expiration);
      }
    });

    it('--ttl 59, a bad duration, or --ttl with --expiration: exit 2 and nothing written', async () => {
      const { kv, name } = await freshNamespace();
      const ttl59 = await kv(['put', 'k', 'v', '--ttl', '59']);
      expect(ttl59.code).toBe(2);
      expect(ttl59.stderr).toContain('"k"');
      expect(ttl59.stderr).toContain('59');
      expect(ttl59.stderr).toContain('60');
      expect((await kv(['put', 'k', 'v', '--ttl', 'soon'])).code).toBe(2);
      const both = await kv(['put', 'k', 'v', '--ttl', '1h', '--expiration', String(Math.floor(Date.now() / 1000) + 7200)]);
      expect(both.code).toBe(2);
      expect(both.stderr).toContain('--ttl');
      expect(await keysOf(name)).toEqual([]);
    });

    it('--expiration takes unix seconds or ISO-8601, at least 60 s ahead', async () => {
      const { kv, name } = await freshNamespace();
      const inAnHour = Math.floor(Date.now() / 1000) + 3600;
      expect((await kv(['put', 'epoch', 'v', '--expiration', String(inAnHour)])).code).toBe(0);
      expect(await expirationOf(kv, 'epoch')).toBe(inAnHour);
      const iso = new Date(inAnHour * 1000).toISOString();
      expect((await kv(['put', 'iso', 'v', '--expiration', iso])).code).toBe(0);
      expect(await expirationOf(kv, 'iso')).toBe(inAnHour);
      const past = await kv(['put', 'past', 'v', '--expiration', '2020-01-01T00:00:00Z']);
      expect(past.code).toBe(2);
      expect(past.stderr).toContain('1577836800');
      expect((await kv(['put', 'soon', 'v', '--expiration', String(Math.floor(Date.now() / 1000) + 30)])).code).toBe(2);
      expect((await kv(['put', 'junk', 'v', '--expiration', 'next week'])).code).toBe(2);
      expect(await keysOf(name)).toEqual(['epoch', 'iso']);
    });
  });

  describe('put --metadata, --json-value, --file and --json', () => {
    it('--json-value refuses a value that is not JSON and stores valid JSON as given', async () => {
      const { kv, name } = await freshNamespace();
      const bad = await kv(['put', 'cfg', '{bad', '--json-value']);
      expect(bad.code).toBe(2);
      expect(bad.stderr).toContain('"cfg"');
      expect(await keysOf(name)).toEqual([]);
      expect((await kv(['put', 'cfg', '-', '--json-value'], '{ "a": 1 }')).code).toBe(0);
      expect((await kv(['get', 'cfg'])).stdout).toBe('{ "a": 1 }');
    });

    it('a --file or --out path that cannot be used is a usage error naming it (exit 2), not a bug', async () => {
      const { kv, name } = await freshNamespace();
      const dir = tempDir('paths');
      const [folder, missing] = await Promise.all([kv(['put', 'k', '--file', dir]), kv(['put', 'k', '--file', path.join(dir, 'nope')])]);
      for (const result of [folder, missing]) {
        expect(result.code).toBe(2);
        expect(result.stderr).toContain(dir);
        expect(result.stderr).not.toContain('bug');
      }
      expect(await keysOf(name)).toEqual([]);
      await kvOf(name).put('k', 'v');
      const out = await kv(['get', 'k', '--out', path.join(dir, 'no', 'such', 'folder')]);
      expect(out.code).toBe(2);
      expect(out.stderr).toContain(path.join(dir, 'no'));
      expect(out.stderr).not.toContain('bug');
    });

    it('--json on put prints the result', async () => {
      const { kv, name } = await freshNamespace();
      const put = await kv(['put', 'k', 'abc', '--metadata', '{"m":1}', '--json']);
      expect(JSON.parse(put.stdout)).toEqual({ namespace: name, key: 'k', bytes: 3, expiration: null, metadata: { m: 1 } });
    });
  });
});
