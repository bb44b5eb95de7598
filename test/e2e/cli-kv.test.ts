/**
 * `kvadm kv …` through the real binary: exact bytes in and out, limits with their
 * messages and exit codes, flags, and what is in the store afterwards.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Backend } from '../../src/lib/backends/backend.js';
import { KV } from '../../src/lib/kv.js';
import { forEachBackend } from '../backends.js';
import { type CliResult, binPath, childEnv, tempDir } from '../helpers.js';
import { runCommand } from '../run-command.js';

/** stderr as lines (without the final newline). */
const lines = (text: string) => text.replace(/\n$/, '').split('\n');

forEachBackend('kvadm kv', (target) => {
  let counter = 0;
  let backend: Backend;
  beforeAll(async () => {
    backend = await target.createBackend();
  });
  afterAll(async () => {
    await backend.close();
  });

  /** A fresh namespace per test (made through the library: one process fewer); returns a runner bound to it. */
  async function freshNamespace(): Promise<{ name: string; kv: (args: string[], input?: string | Uint8Array) => Promise<CliResult> }> {
    const name = `e2e${++counter}`;
    await KV.create(name, { backend });
    return {
      name,
      kv: (args, input) => runCommand(['kv', ...args, '-n', name], { env: target.env(), ...(input === undefined ? {} : { input }) }),
    };
  }
  /** The keys in the store, read through the library. */
  async function keysOf(name: string): Promise<string[]> {
    const keys: string[] = [];
    for await (const page of new KV(name, { backend }).listAll()) keys.push(...page.map((k) => k.name));
    return keys;
  }

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
        expect((await new KV(name, { backend }).getEntry(`ttl-${ttl}`))?.expiration).toBe(expiration);
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

  describe('put --metadata / --json-value and get flags', () => {
    it('--with-metadata prints text values as text and binary values as base64', async () => {
      const { kv } = await freshNamespace();
      expect((await kv(['put', 'text', 'héllo', '--metadata', '{"owner":"ops","n":[1,2]}'])).code).toBe(0);
      const text = await kv(['get', 'text', '--with-metadata']);
      expect(text.code).toBe(0);
      expect(JSON.parse(text.stdout)).toEqual({ key: 'text', value: 'héllo', metadata: { owner: 'ops', n: [1, 2] }, expiration: null });

      const binary = Buffer.from([0xff, 0x00, 0xfe, 0x80, 0x41]);
      expect((await kv(['put', 'bin', '-'], binary)).code).toBe(0);
      const bin = await kv(['get', 'bin', '--with-metadata']);
      expect(JSON.parse(bin.stdout)).toEqual({
        key: 'bin',
        value: binary.toString('base64'),
        base64: true,
        metadata: null,
        expiration: null,
      });
      expect((await kv(['get', 'bin'])).stdoutBytes.equals(binary)).toBe(true);
    });

    it('--type text, json and binary', async () => {
      const { kv } = await freshNamespace();
      await kv(['put', 'doc', '{"a":[1,"é"]}']);
      expect((await kv(['get', 'doc', '--type', 'binary'])).stdout).toBe('{"a":[1,"é"]}');
      expect((await kv(['get', 'doc', '--type', 'text'])).stdout).toBe('{"a":[1,"é"]}');
      expect((await kv(['get', 'doc', '-t', 'json'])).stdout).toBe(`${JSON.stringify({ a: [1, 'é'] }, null, 2)}\n`);
      await kv(['put', 'notjson', 'plain']);
      const notJson = await kv(['get', 'notjson', '--type', 'json']);
      expect(notJson.code).toBe(2);
      expect(notJson.stdout).toBe('');
      expect((await kv(['get', 'doc', '--type', 'xml'])).code).toBe(2);
    });

    it('--json-value refuses a value that is not JSON and stores valid JSON as given', async () => {
      const { kv, name } = await freshNamespace();
      const bad = await kv(['put', 'cfg', '{bad', '--json-value']);
      expect(bad.code).toBe(2);
      expect(bad.stderr).toContain('"cfg"');
      expect(await keysOf(name)).toEqual([]);
      expect((await kv(['put', 'cfg', '-', '--json-value'], '{ "a": 1 }')).code).toBe(0);
      expect((await kv(['get', 'cfg'])).stdout).toBe('{ "a": 1 }');
    });

    it('--cache-ttl: 59 refused (exit 2), 60 and 1m accepted', async () => {
      const { kv } = await freshNamespace();
      await kv(['put', 'c', 'v']);
      const refused = await kv(['get', 'c', '--cache-ttl', '59']);
      expect(refused.code).toBe(2);
      expect(refused.stdout).toBe('');
      expect(refused.stderr).toContain('60');
      expect((await kv(['get', 'c', '--cache-ttl', '60'])).stdout).toBe('v');
      expect((await kv(['get', 'c', '--cache-ttl', '1m'])).stdout).toBe('v');
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
      await new KV(name, { backend }).put('k', 'v');
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

  describe('missing keys and delete', () => {
    it('a missing key prints nothing on stdout, one line on stderr, and exits 3', async () => {
      const { kv, name } = await freshNamespace();
      const missing = await kv(['get', 'nope']);
      expect(missing.code).toBe(3);
      expect(missing.stdout).toBe('');
      expect(lines(missing.stderr)).toHaveLength(1);
      expect(missing.stderr).toContain('"nope"');
      expect(missing.stderr).toContain(name);
      // A key with a newline still makes one line.
      const newline = await kv(['get', 'a\nb']);
      expect(newline.code).toBe(3);
      expect(lines(newline.stderr)).toHaveLength(1);
      const json = await kv(['get', 'nope', '--json']);
      expect(json.code).toBe(3);
      expect(json.stdout).toBe('');
      expect(JSON.parse(json.stderr)).toMatchObject({ error: { code: 'KEY_NOT_FOUND', key: 'nope', namespace: name } });
    });

    it('kv delete KEY... deletes and reports the keys that did not exist', async () => {
      const { kv, name } = await freshNamespace();
      for (const key of ['a', 'b', 'c']) await new KV(name, { backend }).put(key, 'v');
      const deleted = await kv(['delete', 'a', 'c', 'zz', '--json']);
      expect(deleted.code, deleted.stderr).toBe(0);
      expect(JSON.parse(deleted.stdout)).toEqual({ namespace: name, deleted: 2, missing: ['zz'], missingCount: 1, confirmed: true });
      expect(await keysOf(name)).toEqual(['b']);
      const human = await kv(['delete', 'b']);
      expect(human.code).toBe(0);
      expect(human.stdout).toBe('');
      expect(human.stderr).toContain('deleted 1 of 1');
      expect((await kv(['get', 'b'])).code).toBe(3);
      expect((await kv(['delete'])).code).toBe(2);
    });
  });

  describe('kv list', () => {
    it('pages with --limit and --cursor (cursor on stderr), --prefix, --all and --json', async () => {
      const { kv, name } = await freshNamespace();
      const keys = ['a1', 'a2', 'a3', 'b1', '😀1', '😀2', '😀3'];
      for (const key of keys) await new KV(name, { backend }).put(key, 'v');

      const first = await kv(['list', '--limit', '2']);
      expect(first.code).toBe(0);
      expect(first.stdout).toBe('a1\na2\n');
      const cursor = /--cursor (\S+)/.exec(first.stderr)?.[1];
      expect(cursor).toBeDefined();
      const second = await kv(['list', '--limit', '2', '--cursor', cursor as string]);
      expect(second.stdout).toBe('a3\nb1\n');

      const jsonPage = await kv(['list', '--prefix', '😀', '--limit', '2', '--json']);
      const parsed = JSON.parse(jsonPage.stdout) as { keys: Array<{ name: string }>; list_complete: boolean; cursor: string };
      expect(parsed.keys.map((k) => k.name)).toEqual(['😀1', '😀2']);
      expect(parsed.list_complete).toBe(false);
      const rest = await kv(['list', '-p', '😀', '-c', parsed.cursor, '--json']);
      expect(JSON.parse(rest.stdout)).toEqual({ keys: [{ name: '😀3' }], list_complete: true });

      expect((await kv(['list', '--prefix', 'a'])).stdout).toBe('a1\na2\na3\n');
      expect((await kv(['list', '--all'])).stdout).toBe(`${keys.join('\n')}\n`);
      const complete = await kv(['list']);
      expect(complete.stderr).not.toContain('--cursor');
    });

    it('--limit 0, --limit 1001, --all with --limit and a foreign cursor: exit 2', async () => {
      const { kv } = await freshNamespace();
      const cases = [
        ['list', '--limit', '0'],
        ['list', '--limit', '1001'],
        ['list', '--all', '--limit', '5'],
        ['list', '--cursor', 'not a cursor!'],
        ['list', '--limit', 'many'],
      ];
      const results = await Promise.all(cases.map((args) => kv(args)));
      for (const [i, result] of results.entries()) {
        expect(result.code, cases[i]?.join(' ')).toBe(2);
        expect(result.stdout).toBe('');
      }
    });
  });

  describe('namespaces and settings', () => {
    it('kv commands on a missing namespace exit 3 and create nothing', async () => {
      const cases = [['get', 'k'], ['put', 'k', 'v'], ['list'], ['delete', 'k'], ['sweep']];
      const results = await Promise.all(cases.map((args) => runCommand(['kv', ...args, '-n', 'no-such-ns'], { env: target.env() })));
      for (const [i, result] of results.entries()) {
        expect(result.code, cases[i]?.join(' ')).toBe(3);
        expect(result.stdout).toBe('');
        expect(result.stderr).toContain("'no-such-ns'");
      }
      const list = await runCommand(['ns', 'list'], { env: target.env() });
      expect(list.stdout.split('\n')).not.toContain('no-such-ns');
    });

    it('KVADM_NAMESPACE selects the namespace; -n wins over it', async () => {
      const { name } = await freshNamespace();
      const env = { ...target.env(), KVADM_NAMESPACE: name };
      expect((await runCommand(['kv', 'put', 'k', 'from-env'], { env })).code).toBe(0);
      expect((await runCommand(['kv', 'get', 'k', '-n', name], { env: target.env() })).stdout).toBe('from-env');
      expect((await runCommand(['kv', 'get', 'k', '--namespace', 'default'], { env })).code).toBe(3);
    });
  });
});

describe('output files that cannot be written (exit 2, nothing half-done)', () => {
  it('export into a missing folder, and --rejects into a missing folder', async () => {
    const env = { KVADM_DATA_DIR: tempDir('unwritable') };
    expect((await runCommand(['kv', 'put', 'a', '1'], { env })).code).toBe(0);
    const exported = await runCommand(['export', '/nonexistent-kvadm/dir/x.json'], { env });
    expect(exported.code).toBe(2);
    expect(exported.stderr).toContain(
      'cannot write the export file /nonexistent-kvadm/dir/x.json: the folder /nonexistent-kvadm/dir does not exist',
    );
    const input = path.join(tempDir('rejects-in'), 'in.jsonl');
    fs.writeFileSync(input, '{"key":"b","value":"2"}\n{"key":"","value":"x"}\n');
    const imported = await runCommand(['import', input, '--skip-invalid', '--rejects', '/nonexistent-kvadm/r.jsonl'], { env });
    expect(imported.code).toBe(2);
    expect(imported.stderr).toContain('cannot write --rejects /nonexistent-kvadm/r.jsonl');
    const listed = await runCommand(['kv', 'list'], { env });
    expect(listed.stdout).toBe('a\n');
  });
});

describe('stdout closed early', () => {
  it('`kvadm kv get BIG | head -c 10` ends quietly with exit 0', async () => {
    const env = { KVADM_DATA_DIR: tempDir('epipe') };
    expect((await runCommand(['kv', 'put', 'big', '-'], { env, input: randomBytes(4 * 1024 * 1024) })).code).toBe(0);
    const result = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
      const child = spawn(process.execPath, [binPath, 'kv', 'get', 'big'], {
        env: childEnv(env),
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stderr = '';
      child.stderr.on('data', (chunk) => (stderr += chunk));
      // Like head: take the first chunk, then close the pipe.
      child.stdout.once('data', () => child.stdout.destroy());
      child.on('close', (code) => resolve({ code, stderr }));
    });
    expect(result).toEqual({ code: 0, stderr: '' });
  });
});

describe('usage errors (exit 2)', () => {
  it('unknown flag, missing argument, bad option value', async () => {
    const cases = [
      ['kv', 'get', 'k', '--bogus'],
      ['kv', 'get'],
      ['kv', 'put'],
      ['kv', 'get', 'k', '--type', 'xml'],
      ['ns', 'create'],
    ];
    const results = await Promise.all(cases.map((args) => runCommand(args)));
    for (const [i, result] of results.entries()) {
      expect(result.code, cases[i]?.join(' ')).toBe(2);
      expect(result.stdout).toBe('');
      expect(result.stderr).toContain('kvadm: error:');
      expect(result.stderr).not.toMatch(/\n\s+at /);
    }
  });
});
