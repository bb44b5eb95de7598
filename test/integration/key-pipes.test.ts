/**
 * Key pipelines through the real binary: what `kv list` and `export` print, fed to
 * `kv delete --from-file`, deletes exactly the keys listed, whatever they contain; input in
 * another format than the one said is refused, never read as key names.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { KV } from '../../src/lib/kv.js';
import { type BackendTarget, forEachBackend } from '../backends.js';
import { type CliResult, tempDir } from '../helpers.js';
import { runCommand } from '../run-command.js';

/** Keys that break naive line handling or format guessing, and ordinary ones beside them. */
const AWKWARD = [
  'tmp:x\nline1',
  'tmp:cr\r',
  'tmp:tab\there',
  '"tmp:quoted"',
  '[tmp:bracket',
  '{"key":"tmp:curly"}',
  'tmp: spaces ',
  'tmp:comma, "csv"',
  'tmp:emoji 🙂',
  '\ufefftmp:bom',
];

async function keysIn(target: BackendTarget, namespace: string): Promise<string[]> {
  const backend = await target.createBackend();
  try {
    const names: string[] = [];
    for await (const page of new KV(namespace, { backend }).listAll()) names.push(...page.map((k) => k.name));
    return names;
  } finally {
    await backend.close();
  }
}

forEachBackend('key pipelines: kv list / export into kv delete --from-file', (target) => {
  const env = () => target.env();
  let serial = 0;
  /** A new namespace holding `keys` (value "v"), written through the library (one bulk write). */
  const seed = async (keys: string[]): Promise<string> => {
    const namespace = `pipes-${++serial}`;
    const backend = await target.createBackend();
    try {
      await backend.createNamespace(namespace);
      const writer = await backend.bulkWriter(namespace);
      const value = new TextEncoder().encode('v');
      await writer.write(keys.map((key) => ({ key, value, expiration: null, metadata: null })));
      await writer.commit();
    } finally {
      await backend.close();
    }
    return namespace;
  };
  const kvadm = (args: string[], input?: Buffer | string): Promise<CliResult> =>
    runCommand(args, { env: env(), ...(input === undefined ? {} : { input }) });

  it('a key with a newline is listed quoted, and the documented pipeline deletes exactly that key', async () => {
    const namespace = await seed(['tmp:x\nline1', 'line1', 'tmp:y', 'keep']);
    const listed = await kvadm(['kv', 'list', '--prefix', 'tmp:', '-n', namespace]);
    expect(listed.code, listed.stderr).toBe(0);
    expect(listed.stdout).toBe('"tmp:x\\nline1"\ntmp:y\n');
    expect(listed.stderr).toContain('1 key with a line break');
    const deleted = await kvadm(['kv', 'delete', '--from-file', '-', '--force', '-n', namespace, '--json'], listed.stdoutBytes);
    expect(deleted.code, deleted.stderr).toBe(0);
    expect(JSON.parse(deleted.stdout)).toMatchObject({ deleted: 2, missingCount: 0 });
    expect(await keysIn(target, namespace)).toEqual(['keep', 'line1']);
  });

  it('-0 round trip: every key as it is, NUL-terminated; a key containing a NUL is left out, named, and exits 2', async () => {
    const namespace = await seed([...AWKWARD, 'has\0nul']);
    const listed = await kvadm(['kv', 'list', '-0', '-n', namespace]);
    expect(listed.code).toBe(2);
    expect(listed.stderr).toContain('1 key contains a NUL character');
    expect(listed.stderr).toContain('"has\\u0000nul"');
    const printed = listed.stdout.split('\0');
    expect(printed.pop()).toBe('');
    expect(printed.sort()).toEqual([...AWKWARD].sort());
    const deleted = await kvadm(['kv', 'delete', '--from-file', '-', '-0', '--force', '-n', namespace], listed.stdoutBytes);
    expect(deleted.code, deleted.stderr).toBe(0);
    expect(deleted.stderr).toContain(`deleted ${AWKWARD.length} of ${AWKWARD.length} keys`);
    expect(await keysIn(target, namespace)).toEqual(['has\0nul']);
  });

  // What kv list and export print and what kv delete --from-file reads are the client's formats:
  // checked once, on the local store. Every target's server lists and exports the awkward keys
  // above and below (newline, NUL, the three export files, 2,500 keys over cursors).
  if (target.name === 'local') {
    const pairings: Array<{ title: string; list: (namespace: string) => string[]; read: string[] }> = [
      { title: 'kv list (lines)', list: (n) => ['kv', 'list', '-n', n], read: [] },
      { title: 'kv list (lines) with --format lines', list: (n) => ['kv', 'list', '-n', n], read: ['--format', 'lines'] },
      { title: 'kv list -0', list: (n) => ['kv', 'list', '-0', '-n', n], read: ['-0'] },
      { title: 'kv list --json', list: (n) => ['kv', 'list', '--json', '-n', n], read: ['--format', 'json'] },
      { title: 'kv list --json (one page)', list: (n) => ['kv', 'list', '--json', '--limit', '1000', '-n', n], read: ['--format', 'json'] },
      { title: 'export (jsonl)', list: (n) => ['export', '-n', n], read: ['--format', 'jsonl'] },
      { title: 'export --format json', list: (n) => ['export', '--format', 'json', '-n', n], read: ['--format', 'json'] },
      { title: 'export --format csv', list: (n) => ['export', '--format', 'csv', '-n', n], read: ['--format', 'csv'] },
      {
        title: 'export --format csv --delimiter ";"',
        list: (n) => ['export', '--format', 'csv', '--delimiter', ';', '-n', n],
        read: ['--format', 'csv', '--delimiter', ';'],
      },
    ];
    it.each(pairings)('$title into kv delete --from-file - $read deletes every listed key', async ({ list, read }) => {
      const namespace = await seed([...AWKWARD, 'other']);
      const listed = await kvadm(list(namespace));
      expect(listed.code, listed.stderr).toBe(0);
      const deleted = await kvadm(['kv', 'delete', '--from-file', '-', ...read, '--force', '--json', '-n', namespace], listed.stdoutBytes);
      expect(deleted.code, deleted.stderr).toBe(0);
      expect(JSON.parse(deleted.stdout)).toMatchObject({ deleted: AWKWARD.length + 1, missingCount: 0 });
      expect(await keysIn(target, namespace)).toEqual([]);
    });
  }

  it('a file takes its format from its extension: export files feed kv delete --from-file as they are', async () => {
    const dir = tempDir('pipes-ext');
    for (const extension of ['json', 'jsonl', 'csv']) {
      const namespace = await seed([...AWKWARD]);
      const file = path.join(dir, `backup-${namespace}.${extension}`);
      expect((await kvadm(['export', file, '-n', namespace])).code).toBe(0);
      const deleted = await kvadm(['kv', 'delete', '--from-file', file, '--force', '-n', namespace]);
      expect(deleted.code, deleted.stderr).toBe(0);
      expect(await keysIn(target, namespace), extension).toEqual([]);
    }
  });

  if (target.name === 'local') {
    it('a key starting with "[" or "{" in a plain list is a key name, not the start of JSON', async () => {
      const namespace = await seed(['[odd', '{odd}', 'plain']);
      const list = path.join(tempDir('pipes-bracket'), 'keys.txt');
      fs.writeFileSync(list, '[odd\n{odd}\n');
      const deleted = await kvadm(['kv', 'delete', '--from-file', list, '--force', '-n', namespace]);
      expect(deleted.code, deleted.stderr).toBe(0);
      expect(deleted.stderr).toContain('deleted 2 of 2 keys');
      expect(await keysIn(target, namespace)).toEqual(['plain']);
    });

    it.each([
      { title: 'kv list --json', list: (n: string) => ['kv', 'list', '--json', '-n', n], format: 'json' },
      { title: 'export (jsonl)', list: (n: string) => ['export', '-n', n], format: 'jsonl' },
      { title: 'export --format json', list: (n: string) => ['export', '--format', 'json', '-n', n], format: 'json' },
      { title: 'export --format csv', list: (n: string) => ['export', '--format', 'csv', '-n', n], format: 'csv' },
    ])('$title given without --format is refused (exit 2, nothing deleted), naming --format $format', async ({ list, format }) => {
      const namespace = await seed(['a', 'b', '[c']);
      const listed = await kvadm(list(namespace));
      const refused = await kvadm(['kv', 'delete', '--from-file', '-', '--force', '-n', namespace], listed.stdoutBytes);
      expect(refused.code).toBe(2);
      expect(refused.stderr).toContain('nothing was deleted');
      expect(refused.stderr).toContain(`--format ${format}`);
      expect(await keysIn(target, namespace)).toEqual(['[c', 'a', 'b']);
    });

    it('a list that cannot be read as its format is refused through the binary: exit 2, the problem named, nothing deleted', async () => {
      // The reader's other refusals are unit tests (test/unit/key-lines.test.ts).
      const namespace = await seed(['a', 'b']);
      const cases: Array<{ read: string[]; input: Buffer | string; says: string }> = [
        { read: ['--format', 'json'], input: 'a\nb\n', says: 'read as --format json' },
        { read: [], input: Buffer.from([0x61, 0x0a, 0xff, 0x0a]), says: 'line 2): NOT_UTF8' },
        { read: ['--delimiter', ';'], input: 'a\n', says: '--delimiter applies to CSV' },
        { read: ['-0', '--format', 'lines'], input: 'a\0', says: '--format' },
      ];
      for (const { read, input, says } of cases) {
        const refused = await kvadm(['kv', 'delete', '--from-file', '-', ...read, '--force', '-n', namespace], input);
        expect(refused.code, read.join(' ')).toBe(2);
        expect(refused.stderr, read.join(' ')).toContain(says);
      }
      expect(await keysIn(target, namespace)).toEqual(['a', 'b']);
    });
  }

  it('kv list follows cursors to the end: 2,500 keys piped are all printed, in order, exit 0', async () => {
    const keys = Array.from({ length: 2500 }, (_, i) => `k${String(i).padStart(4, '0')}`);
    const namespace = await seed(keys);
    const all = await kvadm(['kv', 'list', '-n', namespace]);
    const allFlag = await kvadm(['kv', 'list', '--all', '-n', namespace]);
    const json = await kvadm(['kv', 'list', '--json', '-n', namespace]);
    const page = await kvadm(['kv', 'list', '--limit', '1000', '-n', namespace]);
    expect(all.code, all.stderr).toBe(0);
    expect(all.stdout).toBe(keys.map((k) => `${k}\n`).join(''));
    expect(all.stderr).toBe('');
    expect(allFlag.stdout).toBe(all.stdout);

    expect(json.code, json.stderr).toBe(0);
    const parsed = JSON.parse(json.stdout) as { keys: Array<{ name: string }>; list_complete: boolean; cursor?: string };
    expect(parsed.keys.map((k) => k.name)).toEqual(keys);
    expect(parsed.list_complete).toBe(true);
    expect(parsed.cursor).toBeUndefined();

    // One page when asked: the next cursor on stderr; --all with that cursor lists the rest.
    expect(page.stdout).toBe(
      keys
        .slice(0, 1000)
        .map((k) => `${k}\n`)
        .join(''),
    );
    const cursor = /--cursor (\S+)/.exec(page.stderr)?.[1];
    expect(cursor).toBeDefined();
    const rest = await kvadm(['kv', 'list', '--all', '--cursor', cursor as string, '-n', namespace]);
    expect(rest.stdout).toBe(
      keys
        .slice(1000)
        .map((k) => `${k}\n`)
        .join(''),
    );
    const next = await kvadm(['kv', 'list', '--cursor', cursor as string, '-n', namespace]);
    expect(next.stdout).toBe(
      keys
        .slice(1000, 2000)
        .map((k) => `${k}\n`)
        .join(''),
    );
  });
});

describe('kv list --json', () => {
  it('every key, streamed, prints the same bytes as the one page that holds them all', async () => {
    const dir = tempDir('pipes-json');
    const file = path.join(dir, 'seed.json');
    fs.writeFileSync(
      file,
      JSON.stringify([
        { key: 'a', value: '1', metadata: { owner: 'ops', tags: ['x', 'y'] } },
        { key: 'b\nc', value: '2', expiration: Math.floor(Date.now() / 1000) + 86_400 },
        { key: 'd', value: '3' },
      ]),
    );
    expect((await runCommand(['import', file, '-n', 'jsonbytes', '--create-namespace'])).code).toBe(0);
    const streamed = await runCommand(['kv', 'list', '--json', '-n', 'jsonbytes']);
    const page = await runCommand(['kv', 'list', '--json', '--limit', '1000', '-n', 'jsonbytes']);
    expect(streamed.code, streamed.stderr).toBe(0);
    expect(streamed.stdout).toBe(page.stdout);
    expect(JSON.parse(streamed.stdout).keys).toHaveLength(3);
    const empty = await runCommand(['kv', 'list', '--json', '--prefix', 'none', '-n', 'jsonbytes']);
    expect(empty.stdout).toBe((await runCommand(['kv', 'list', '--json', '--prefix', 'none', '--limit', '5', '-n', 'jsonbytes'])).stdout);
    expect(JSON.parse(empty.stdout)).toEqual({ keys: [], list_complete: true });
  });

  it('-0 and --json together: exit 2', async () => {
    const result = await runCommand(['kv', 'list', '-0', '--json']);
    expect(result.code).toBe(2);
  });
});
