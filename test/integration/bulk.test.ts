import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { KV } from '../../src/lib/kv.js';
import { type BackendTarget, forEachBackend } from '../backends.js';
import { tempDir } from '../helpers.js';
import { runCommand } from '../run-command.js';

const FAR = Math.floor(Date.now() / 1000) + 365 * 86_400;
const BINARY = Buffer.from([0x00, 0xff, 0xfe, 0x80, 0x0a, 0x22, 0x2c]);

/** Entries that stress every format: binary, unicode and CSV-hostile keys, metadata, expirations. */
const SEED = [
  { key: 'plain', value: 'hello' },
  { key: 'binary', value: BINARY.toString('base64'), base64: true },
  { key: 'unicode: é 🙂 中文', value: 'ünïcödé value 🙂', metadata: { lang: 'fr', tags: ['a', 'b'] } },
  { key: 'csv, "hostile"\nkey\r\n', value: 'value, with "quotes"\nand lines\r\n', expiration: FAR },
  { key: 'object', value: { nested: { n: 1.5, list: [1, 2] } }, metadata: { v: 1 } },
  { key: 'number', value: 42 },
  { key: 'spaces', value: '  leading and trailing  ', expiration: FAR, metadata: { s: ' x ' } },
  { key: 'empty', value: '' },
];

async function keysIn(target: BackendTarget, namespace: string): Promise<string[]> {
  const backend = await target.createBackend();
  try {
    const kv = new KV(namespace, { backend });
    if (!(await backend.namespaceExists(namespace))) return [];
    const names: string[] = [];
    for await (const page of kv.listAll()) names.push(...page.map((k) => k.name));
    return names;
  } finally {
    await backend.close();
  }
}

function write(dir: string, name: string, content: string | Buffer): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, content);
  return file;
}

/**
 * Import, export and bulk delete run in the client, so these suites run on the local store (one
 * transaction) and on the http backend (validated first, then written in batches). The
 * emulator's target is the http backend again: what its server does with bulk writes, listings
 * and bulk deletes is checked on every target in kv-library.test.ts, and awkward keys listed
 * through it in key-pipes.test.ts.
 */
const CLIENT_TARGETS = { only: ['local', 'http'] } as const;

forEachBackend(
  'import / export round trips',
  (target) => {
    const env = () => target.env();

    it.each(['json', 'jsonl', 'csv'] as const)('export → import → export is byte-identical in %s', async (format) => {
      const dir = tempDir('roundtrip');
      const seed = write(dir, 'seed.json', JSON.stringify(SEED));
      const a = `rt-${format}-a`;
      const b = `rt-${format}-b`;
      const load = await runCommand(['import', seed, '-n', a, '--create-namespace'], { env: env() });
      expect(load.code, load.stderr).toBe(0);
      const first = path.join(dir, `first.${format}`);
      const second = path.join(dir, `second.${format}`);
      const out1 = await runCommand(['export', first, '-n', a], { env: env() });
      expect(out1.code, out1.stderr).toBe(0);
      const copy = await runCommand(['import', first, '-n', b, '--create-namespace'], { env: env() });
      expect(copy.code, copy.stderr).toBe(0);
      const out2 = await runCommand(['export', second, '-n', b], { env: env() });
      expect(out2.code, out2.stderr).toBe(0);
      const bytes1 = fs.readFileSync(first);
      expect(fs.readFileSync(second).equals(bytes1)).toBe(true);
      // The copy holds the same data, binary value included.
      const get = await runCommand(['kv', 'get', 'binary', '-n', b], { env: env() });
      expect(get.stdoutBytes.equals(BINARY)).toBe(true);
      const meta = await runCommand(['kv', 'get', 'unicode: é 🙂 中文', '-n', b, '--with-metadata'], { env: env() });
      expect(JSON.parse(meta.stdout)).toMatchObject({ value: 'ünïcödé value 🙂', metadata: { lang: 'fr', tags: ['a', 'b'] } });
      const hostile = await runCommand(['kv', 'get', 'csv, "hostile"\nkey\r\n', '-n', b, '--with-metadata'], { env: env() });
      expect(JSON.parse(hostile.stdout)).toMatchObject({ value: 'value, with "quotes"\nand lines\r\n', expiration: FAR });
      expect((await runCommand(['kv', 'get', 'object', '-n', b], { env: env() })).stdout).toBe('{"nested":{"n":1.5,"list":[1,2]}}');
      expect(await keysIn(target, b)).toHaveLength(SEED.length);
    });

    it('copies a namespace through a pipe (export to stdout, import from stdin)', async () => {
      const dir = tempDir('pipe');
      const seed = write(dir, 'seed.json', JSON.stringify(SEED));
      expect((await runCommand(['import', seed, '-n', 'pipe-a', '--create-namespace'], { env: env() })).code).toBe(0);
      const exported = await runCommand(['export', '-n', 'pipe-a'], { env: env() });
      expect(exported.code).toBe(0);
      expect(exported.stderr).toContain('exported 8 entries');
      // stdout holds nothing but the data: one JSON entry a line.
      for (const line of exported.stdout.trimEnd().split('\n')) expect(JSON.parse(line)).toHaveProperty('key');
      const imported = await runCommand(['import', '-', '--format', 'jsonl', '-n', 'pipe-b', '--create-namespace'], {
        env: env(),
        input: exported.stdoutBytes,
      });
      expect(imported.code, imported.stderr).toBe(0);
      // Piped stdin is not mistaken for the FILE argument (oclif reads stdin into missing arguments).
      const again = await runCommand(['export', '-n', 'pipe-b'], { env: env(), input: 'not-a-file-name' });
      expect(again.code, again.stderr).toBe(0);
      expect(again.stdout).toBe(exported.stdout);
    });

    it('exports only live keys under --prefix, and prints the --json summary away from the data', async () => {
      const dir = tempDir('prefix');
      const file = write(
        dir,
        'in.jsonl',
        ['{"key":"user:1","value":"a"}', '{"key":"user:2","value":"b"}', '{"key":"other","value":"c"}'].join('\n'),
      );
      expect((await runCommand(['import', file, '-n', 'pfx', '--create-namespace'], { env: env() })).code).toBe(0);
      const out = await runCommand(['export', '-n', 'pfx', '--prefix', 'user:', '--json'], { env: env() });
      expect(out.code).toBe(0);
      expect(out.stdout).toBe('{"key":"user:1","value":"a"}\n{"key":"user:2","value":"b"}\n');
      expect(JSON.parse(out.stderr)).toMatchObject({ entries: 2, prefix: 'user:', format: 'jsonl' });
    });

    it('reads a wrangler bulk file, a plain object and CSV with another delimiter and columns in any order', async () => {
      const dir = tempDir('shapes');
      const wrangler = write(dir, 'w.json', JSON.stringify([{ key: 'w1', value: 'v', expiration_ttl: 3600, metadata: { m: 1 } }]));
      const object = write(dir, 'o.json', '{"o1": "text", "o2": {"a": 1}, "o3": true}');
      const csv = write(dir, 'c.csv', 'metadata;value;key\n"{""x"":1}";"semi;colon";c1\n;plain;c2\n');
      expect((await runCommand(['import', wrangler, '-n', 'shapes', '--create-namespace'], { env: env() })).code).toBe(0);
      expect((await runCommand(['import', object, '-n', 'shapes'], { env: env() })).code).toBe(0);
      const c = await runCommand(['import', csv, '-n', 'shapes', '--delimiter', ';'], { env: env() });
      expect(c.code, c.stderr).toBe(0);
      const out = await runCommand(['export', '-n', 'shapes', '--format', 'json'], { env: env() });
      const entries = JSON.parse(out.stdout) as Array<Record<string, unknown>>;
      expect(entries.map((e) => e.key)).toEqual(['c1', 'c2', 'o1', 'o2', 'o3', 'w1']);
      expect(entries[0]).toEqual({ key: 'c1', value: 'semi;colon', metadata: { x: 1 } });
      expect(entries[3]).toEqual({ key: 'o2', value: '{"a":1}' });
      expect(entries[4]).toEqual({ key: 'o3', value: 'true' });
      expect(entries[5]).toMatchObject({ key: 'w1', value: 'v', metadata: { m: 1 } });
      expect(entries[5]?.expiration).toBeGreaterThan(Date.now() / 1000 + 3000);
    });

    it('counts duplicates (the last one wins), is idempotent, and reports --json', async () => {
      const dir = tempDir('dups');
      const file = write(dir, 'd.jsonl', ['a', 'b', 'a', 'c', 'a'].map((k, i) => JSON.stringify({ key: k, value: `v${i}` })).join('\n'));
      for (let run = 0; run < 2; run++) {
        const result = await runCommand(['import', file, '-n', 'dups', '--create-namespace', '--json'], { env: env() });
        expect(result.code, result.stderr).toBe(0);
        expect(JSON.parse(result.stdout)).toMatchObject({ entries: 5, written: 3, duplicates: 2, skipped: 0, invalidCount: 0 });
      }
      expect((await runCommand(['kv', 'get', 'a', '-n', 'dups'], { env: env() })).stdout).toBe('v4');
      expect(await keysIn(target, 'dups')).toEqual(['a', 'b', 'c']);
    });
  },
  CLIENT_TARGETS,
);

/** One good entry, one bad: the file must write nothing. [name, file name, content, code, line] */
const BAD_INPUTS: Array<[string, string, string, string, number]> = [
  ['truncated JSON', 'a.json', '[\n{"key":"ok","value":"v"},\n{"key":"b","val', 'SYNTAX_ERROR', 3],
  ['missing comma in JSON', 'a.json', '[\n{"key":"ok","value":"v"}\n{"key":"b","value":"v"}\n]', 'SYNTAX_ERROR', 3],
  ['bad literal in JSON', 'a.json', '[\n{"key":"ok","value":"v"},\n{"key":"b","value":nul}\n]', 'SYNTAX_ERROR', 3],
  ['JSON that is neither array nor object', 'a.json', '"just a string"', 'SYNTAX_ERROR', 1],
  ['unclosed JSON Lines entry', 'a.jsonl', '{"key":"ok","value":"v"}\n{"key":"b","value":"v"\n', 'SYNTAX_ERROR', 2],
  ['unbalanced CSV quote', 'a.csv', 'key,value\nok,v\nb,"unclosed\nc,d\n', 'SYNTAX_ERROR', 3],
  ['CSV without a value column', 'a.csv', 'key,val\nok,v\n', 'SYNTAX_ERROR', 1],
  ['CSV record with too many fields', 'a.csv', 'key,value\nok,v\nb,v,extra\n', 'SYNTAX_ERROR', 3],
  ['key too long', 'a.jsonl', `{"key":"ok","value":"v"}\n{"key":"${'k'.repeat(513)}","value":"v"}`, 'KEY_TOO_LONG', 2],
  ['multi-byte key too long', 'a.csv', `key,value\nok,v\n${'é'.repeat(257)},v\n`, 'KEY_TOO_LONG', 3],
  ['missing key', 'a.jsonl', '{"key":"ok","value":"v"}\n{"value":"v"}', 'KEY_MISSING', 2],
  ['empty key in CSV', 'a.csv', 'key,value\nok,v\n,v\n', 'KEY_MISSING', 3],
  ['reserved key', 'a.jsonl', '{"key":"ok","value":"v"}\n{"key":"..","value":"v"}', 'KEY_RESERVED', 2],
  ['missing value', 'a.jsonl', '{"key":"ok","value":"v"}\n{"key":"b"}', 'VALUE_MISSING', 2],
  ['null value', 'a.json', '{"ok": "v", "b": null}', 'VALUE_INVALID', 1],
  ['bad base64 character', 'a.jsonl', '{"key":"ok","value":"v"}\n{"key":"b","value":"AA*A","base64":true}', 'BASE64_INVALID', 2],
  ['bad base64 padding', 'a.csv', 'key,value,base64\nok,v,\nb,AAA,true\n', 'BASE64_INVALID', 3],
  [
    'base64 flag that is not a boolean',
    'a.jsonl',
    '{"key":"ok","value":"v"}\n{"key":"b","value":"AA==","base64":"yes"}',
    'FIELD_INVALID',
    2,
  ],
  [
    'metadata too large',
    'a.jsonl',
    `{"key":"ok","value":"v"}\n{"key":"b","value":"v","metadata":{"x":"${'m'.repeat(1100)}"}}`,
    'METADATA_TOO_LARGE',
    2,
  ],
  ['malformed metadata in CSV', 'a.csv', 'key,value,metadata\nok,v,\nb,v,{not json}\n', 'METADATA_INVALID', 3],
  ['TTL under 60 s', 'a.jsonl', '{"key":"ok","value":"v"}\n{"key":"b","value":"v","expiration_ttl":59}', 'EXPIRATION_TTL_INVALID', 2],
  ['expiration in the past', 'a.csv', 'key,value,expiration\nok,v,\nb,v,1000000000\n', 'EXPIRATION_INVALID', 3],
  ['an entry that is not an object', 'a.json', '[\n{"key":"ok","value":"v"},\n["b","v"]\n]', 'ENTRY_INVALID', 3],
];

forEachBackend(
  'invalid input writes nothing',
  (target) => {
    it.each(BAD_INPUTS)('%s: exit 2, reported with its line, nothing written', async (_name, fileName, content, code, line) => {
      const dir = tempDir('bad');
      const file = write(dir, fileName, content);
      const namespace = `bad-${Math.random().toString(36).slice(2, 10)}`;
      expect((await runCommand(['ns', 'create', namespace], { env: target.env() })).code).toBe(0);
      const result = await runCommand(['import', file, '-n', namespace], { env: target.env() });
      expect(result.code, result.stderr).toBe(2);
      expect(result.stdout).toBe('');
      expect(result.stderr).toContain(code === 'SYNTAX_ERROR' ? 'syntax error' : code);
      expect(result.stderr).toMatch(new RegExp(`line ${line}\\b`));
      expect(result.stderr).toContain('nothing was written');
      expect(await keysIn(target, namespace)).toEqual([]);
    });

    it('value too large after base64 decoding: refused with the limit, exit 2, nothing written', async () => {
      // 26,214,401 bytes "a": "aaa" is "YWFh" in base64, and the last two bytes are "YWE=".
      const value = `${'YWFh'.repeat(8_738_133)}YWE=`;
      const file = write(tempDir('big'), 'a.jsonl', `{"key":"ok","value":"v"}\n{"key":"b","value":"${value}","base64":true}\n`);
      expect(Buffer.from(value, 'base64').length).toBe(26_214_401);
      const namespace = `big-${Math.random().toString(36).slice(2, 10)}`;
      expect((await runCommand(['ns', 'create', namespace], { env: target.env() })).code).toBe(0);
      const result = await runCommand(['import', file, '-n', namespace], { env: target.env() });
      expect(result.code, result.stderr).toBe(2);
      expect(result.stdout).toBe('');
      expect(result.stderr).toContain('entry 1 (line 2) key "b": VALUE_TOO_LARGE');
      expect(result.stderr).toContain('[limit 26214400, actual 26214401]');
      expect(result.stderr).toContain('nothing was written');
      expect(await keysIn(target, namespace)).toEqual([]);
    });

    it('lists each bad entry with index, line, key and sizes, capped, then the count', async () => {
      const dir = tempDir('many');
      const lines = Array.from({ length: 60 }, (_, i) =>
        JSON.stringify(i % 2 ? { key: `k${i}`, value: 'v' } : { key: `k${i}`.padEnd(600, 'x'), value: 'v' }),
      );
      const file = write(dir, 'many.jsonl', lines.join('\n'));
      const result = await runCommand(['import', file, '-n', 'many', '--create-namespace'], { env: target.env() });
      expect(result.code).toBe(2);
      expect(result.stderr).toContain('30 of 60 entries in');
      expect(result.stderr).toContain('entry 2 (line 3) key "k2xxx');
      expect(result.stderr).toContain('KEY_TOO_LONG');
      expect(result.stderr).toContain('[limit 512, actual 600]');
      expect(result.stderr).toContain('… and 10 more (30 invalid entries in all)');
      expect(result.stderr.match(/KEY_TOO_LONG/g)).toHaveLength(20);
      // The namespace created for the failed import is gone again.
      expect((await runCommand(['ns', 'info', 'many'], { env: target.env() })).code).toBe(3);
      const json = await runCommand(['import', file, '-n', 'many', '--create-namespace', '--json'], { env: target.env() });
      expect(json.code).toBe(2);
      expect(json.stdout).toBe('');
      expect(JSON.parse(json.stderr).error).toMatchObject({ code: 'INVALID_ENTRIES', invalidCount: 30, entries: 60 });
    });

    it('--skip-invalid writes the valid entries and --rejects keeps the others, ready to fix and re-import', async () => {
      const dir = tempDir('skip');
      const csv = write(dir, 'in.csv', 'key,value,expiration_ttl\r\ngood1,v,\r\n"bad, ttl",v,5\r\ngood2,"multi\nline",\r\n,no key,\r\n');
      const rejects = path.join(dir, 'rejects.csv');
      const result = await runCommand(
        ['import', csv, '-n', 'skip', '--create-namespace', '--skip-invalid', '--rejects', rejects, '--json'],
        {
          env: target.env(),
        },
      );
      expect(result.code, result.stderr).toBe(0);
      expect(JSON.parse(result.stdout)).toMatchObject({ entries: 4, written: 2, skipped: 2, invalidCount: 2, rejectsFile: rejects });
      expect(await keysIn(target, 'skip')).toEqual(['good1', 'good2']);
      expect(fs.readFileSync(rejects, 'utf8')).toBe('key,value,expiration_ttl\n"bad, ttl",v,5\n,no key,\n');
      // Fix the rejects and import them.
      fs.writeFileSync(rejects, fs.readFileSync(rejects, 'utf8').replace(',5\n', ',60\n').replace(',no key', 'fixed,no key'));
      const again = await runCommand(['import', rejects, '-n', 'skip'], { env: target.env() });
      expect(again.code, again.stderr).toBe(0);
      expect(await keysIn(target, 'skip')).toEqual(['bad, ttl', 'fixed', 'good1', 'good2']);
    });

    it('--dry-run validates and counts without writing or creating anything', async () => {
      const dir = tempDir('dry');
      const file = write(dir, 'd.json', JSON.stringify(SEED));
      const result = await runCommand(['import', file, '-n', 'dry', '--create-namespace', '--dry-run', '--json'], { env: target.env() });
      expect(result.code, result.stderr).toBe(0);
      expect(JSON.parse(result.stdout)).toMatchObject({
        dryRun: true,
        entries: SEED.length,
        written: SEED.length,
        createdNamespace: false,
      });
      expect((await runCommand(['ns', 'info', 'dry'], { env: target.env() })).code).toBe(3);
    });

    it('needs --format for stdin and an existing namespace unless --create-namespace', async () => {
      const stdin = await runCommand(['import', '-', '-n', 'x'], { env: target.env(), input: '[]' });
      expect(stdin.code).toBe(2);
      expect(stdin.stderr).toContain('--format');
      const dir = tempDir('ns');
      const file = write(dir, 'f.json', '[]');
      const missing = await runCommand(['import', file, '-n', 'does-not-exist'], { env: target.env() });
      expect(missing.code).toBe(3);
      expect(missing.stderr).toContain("namespace 'does-not-exist' not found");
      const unknown = await runCommand(['import', write(dir, 'f.txt', '[]'), '-n', 'default'], { env: target.env() });
      expect(unknown.code).toBe(2);
      expect(unknown.stderr).toContain('cannot tell the format');
    });
  },
  CLIENT_TARGETS,
);

forEachBackend(
  'kv delete in bulk',
  (target) => {
    const env = () => target.env();
    const seed = async (namespace: string, keys: string[]) => {
      const dir = tempDir('del');
      const file = write(dir, 'k.jsonl', keys.map((key) => JSON.stringify({ key, value: 'v' })).join('\n'));
      expect((await runCommand(['import', file, '-n', namespace, '--create-namespace'], { env: env() })).code).toBe(0);
    };

    it('--prefix needs --force off a terminal, then deletes every key under the prefix', async () => {
      await seed('delp', ['tmp:1', 'tmp:2', 'tmp:3', 'keep:1', 'tmq']);
      const refused = await runCommand(['kv', 'delete', '--prefix', 'tmp:', '-n', 'delp'], { env: env() });
      expect(refused.code).toBe(2);
      expect(refused.stderr).toContain('--force');
      expect(await keysIn(target, 'delp')).toHaveLength(5);
      const done = await runCommand(['kv', 'delete', '--prefix', 'tmp:', '-n', 'delp', '--force', '--json'], { env: env() });
      expect(done.code, done.stderr).toBe(0);
      expect(JSON.parse(done.stdout)).toMatchObject({ deleted: 3 });
      expect(await keysIn(target, 'delp')).toEqual(['keep:1', 'tmq']);
      expect((await runCommand(['kv', 'delete', '--prefix', '', '-n', 'delp', '--force'], { env: env() })).code).toBe(2);
    });

    it('--from-file takes one key a line, or a JSON array with --format json (an export works too), from a file or stdin', async () => {
      await seed('delf', ['a', 'b', 'c', 'd', 'e', 'f, "g"']);
      const dir = tempDir('delf');
      const lines = write(dir, 'keys.txt', 'a\r\nb\n\nmissing\n');
      const refused = await runCommand(['kv', 'delete', '--from-file', lines, '-n', 'delf'], { env: env() });
      expect(refused.code).toBe(2);
      const byLines = await runCommand(['kv', 'delete', '--from-file', lines, '-n', 'delf', '--force', '--json'], { env: env() });
      expect(byLines.code, byLines.stderr).toBe(0);
      expect(JSON.parse(byLines.stdout)).toMatchObject({ deleted: 2, missingCount: 1 });
      const byJson = await runCommand(['kv', 'delete', '--from-file', '-', '--format', 'json', '-n', 'delf', '--force'], {
        env: env(),
        input: JSON.stringify(['c', { key: 'd' }, { name: 'f, "g"' }]),
      });
      expect(byJson.code, byJson.stderr).toBe(0);
      expect(byJson.stderr).toContain('deleted 3 of 3 keys');
      expect(await keysIn(target, 'delf')).toEqual(['e']);
      const bad = await runCommand(['kv', 'delete', '--from-file', '-', '--format', 'json', '-n', 'delf', '--force'], {
        env: env(),
        input: '["e", 5, ""]',
      });
      expect(bad.code).toBe(2);
      expect(bad.stderr).toContain('nothing was deleted');
      expect(await keysIn(target, 'delf')).toEqual(['e']);
    });
  },
  CLIENT_TARGETS,
);

describe('kv delete keeps its KEY... form', () => {
  it('deletes the keys given and reports the missing ones', async () => {
    expect((await runCommand(['kv', 'put', 'one', '1'])).code).toBe(0);
    const result = await runCommand(['kv', 'delete', 'one', 'two', '--json']);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ deleted: 1, missing: ['two'], missingCount: 1 });
  });
});
