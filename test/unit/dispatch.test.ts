// The fast path's parsing (src/cli/dispatch.ts) against the real oclif.manifest.json, and
// the guard for what the manifest cannot describe: a flag's own parse function and a
// boolean's default live only in the command classes, so they are checked here.
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Command } from '@oclif/core';
import { describe, expect, it } from 'vitest';
import { FAST_COMMAND_IDS, parseInvocation } from '../../src/cli/dispatch.js';
import { type Manifest, findCommand, hoistGlobalFlags, readManifest } from '../../src/cli/manifest.js';
import { repoRoot } from '../helpers.js';

const manifest = readManifest() as Manifest;

function command(id: string) {
  const found = manifest.commands[id];
  if (!found) throw new Error(`${id} is not in oclif.manifest.json: run npm run build`);
  return found;
}

async function commandClass(id: string): Promise<typeof Command & { baseFlags?: Record<string, unknown> }> {
  const file = path.join(repoRoot, 'src', 'commands', ...id.split(':')).concat('.ts');
  const module = await import(/* @vite-ignore */ pathToFileURL(file).href);
  return module.default;
}

describe('the manifest describes every fast command completely', () => {
  for (const id of FAST_COMMAND_IDS) {
    it(`${id}: the manifest lists the flags the command class declares`, async () => {
      const Class = await commandClass(id);
      const declared = Object.keys({ ...Class.baseFlags, ...Class.flags }).sort();
      const listed = Object.keys(command(id).flags)
        .filter((name) => name !== 'json')
        .sort();
      expect(listed).toEqual(declared);
    });

    it(`${id}: option flags keep their text (no parse function the fast path would skip)`, async () => {
      const Class = await commandClass(id);
      const flags = Object.entries({ ...Class.baseFlags, ...Class.flags }) as Array<
        [string, { type: string; parse?: (input: string, context: unknown, options: unknown) => Promise<unknown> }]
      >;
      for (const [name, flag] of flags) {
        if (flag.type !== 'option' || !flag.parse) continue;
        // A flag whose parse changes its input (Flags.integer, Flags.url…) needs its value read in the action.
        expect({ name, parsed: await flag.parse('some text', {}, flag) }).toEqual({ name, parsed: 'some text' });
      }
    });

    it(`${id}: boolean flags have no default (the manifest does not record one)`, async () => {
      const Class = await commandClass(id);
      const flags = Object.entries({ ...Class.baseFlags, ...Class.flags }) as Array<[string, { type: string; default?: unknown }]>;
      const withDefaults = flags.filter(([, flag]) => flag.type === 'boolean' && flag.default !== undefined).map(([name]) => name);
      expect(withDefaults).toEqual([]);
    });
  }
});

describe('parseInvocation', () => {
  it('reads flags, arguments, defaults and --json as oclif would', () => {
    expect(parseInvocation(command('kv:get'), ['k', '-n', 'users', '--json'])).toEqual({
      flags: { namespace: 'users', json: true, type: 'binary' },
      args: { key: 'k' },
      argv: ['k'],
      json: true,
    });
    expect(parseInvocation(command('kv:put'), ['k', '-', '--metadata=', '--json-value'])).toEqual({
      flags: { metadata: '', 'json-value': true },
      args: { key: 'k', value: '-' },
      argv: ['k', '-'],
      json: false,
    });
  });

  it('reads a flag that depends on another only when that one is given too (else oclif words the error)', () => {
    expect(parseInvocation(command('kv:delete'), ['--from-file', 'keys.ndjson', '--format', 'jsonl', '-0'])).toBeUndefined();
    expect(parseInvocation(command('kv:delete'), ['--format', 'jsonl', '-f'])).toBeUndefined();
    expect(parseInvocation(command('kv:delete'), ['--from-file', 'keys.txt', '-0', '-f'])).toEqual({
      flags: { 'from-file': 'keys.txt', null: true, force: true },
      args: {},
      argv: [],
      json: false,
    });
  });

  it("reads the two stores of diff, sync and copy, and export's optional file", () => {
    expect(parseInvocation(command('diff'), ['users', 'prod:users', '-p', 'user:', '--keys-only'])).toEqual({
      flags: { prefix: 'user:', 'keys-only': true },
      args: { src: 'users', dst: 'prod:users' },
      argv: ['users', 'prod:users'],
      json: false,
    });
    expect(parseInvocation(command('sync'), ['a', 'b', '--delete', '-f', '--json'])).toEqual({
      flags: { delete: true, force: true, json: true },
      args: { src: 'a', dst: 'b' },
      argv: ['a', 'b'],
      json: true,
    });
    expect(parseInvocation(command('copy'), ['a', 'b', '--create-namespace', '--skip-invalid'])).toEqual({
      flags: { 'create-namespace': true, 'skip-invalid': true },
      args: { src: 'a', dst: 'b' },
      argv: ['a', 'b'],
      json: false,
    });
    expect(parseInvocation(command('export'), ['-n', 'users'])).toEqual({ flags: { namespace: 'users' }, args: {}, argv: [], json: false });
    expect(parseInvocation(command('export'), ['out.csv', '--delimiter', ';'])).toEqual({
      flags: { delimiter: ';' },
      args: { file: 'out.csv' },
      argv: ['out.csv'],
      json: false,
    });
  });

  it('gives a command with variadic keys every argument', () => {
    expect(parseInvocation(command('kv:delete'), ['a', 'b', '-f', 'c'])).toEqual({
      flags: { force: true },
      args: { keys: 'a' },
      argv: ['a', 'b', 'c'],
      json: false,
    });
  });

  const declined: Array<[string, string[]]> = [
    ['kv:get', []],
    ['kv:get', ['a', 'b']],
    ['kv:get', ['k', '--help']],
    ['kv:get', ['k', '--bogus']],
    ['kv:get', ['k', '-t', 'bogus']],
    ['kv:get', ['k', '-t', 'text', '-t', 'json']],
    ['kv:get', ['k', '-ttext']],
    ['kv:get', ['k', '-t=text']],
    ['kv:get', ['--', 'k']],
    ['kv:get', ['k', '--out', '-']],
    ['kv:get', ['k', '--out=-x']],
    ['kv:get', ['k', '--json', '--json']],
    ['kv:get', ['k', '--json=true']],
    ['kv:get', ['-5']],
    ['kv:put', ['k', 'v', '--ttl', '60', '--expiration', '9999999999']],
    ['kv:list', ['-al', '5']],
    ['kv:list', ['--limit', '1', '--all']],
    ['kv:delete', ['--prefix', 'p', '--from-file', 'f']],
    ['ns:list', ['extra']],
    ['diff', ['a']],
    ['diff', ['a', 'b', 'c']],
    ['diff', ['a', 'b', '--delete']],
    ['sync', ['a', 'b', '-df']],
    ['sync', ['a', 'b', '--delete', '--delete']],
    ['copy', []],
    ['copy', ['a', 'b', '--force']],
    ['export', ['a.json', 'b.json']],
    ['export', ['--format', 'yaml']],
    ['export', ['--prefix', '-x']],
  ];
  for (const [id, argv] of declined) {
    it(`declines ${id} ${JSON.stringify(argv)} (oclif answers)`, () => {
      expect(parseInvocation(command(id), argv)).toBeUndefined();
    });
  }
});

describe('findCommand', () => {
  it('joins topic words into the command id', () => {
    expect(findCommand(manifest, ['kv', 'get', 'k'])).toMatchObject({ command: { id: 'kv:get' }, words: 2 });
    expect(findCommand(manifest, ['ns', 'list'])).toMatchObject({ command: { id: 'ns:list' }, words: 2 });
    expect(findCommand(manifest, ['kv'])).toBeUndefined();
    expect(findCommand(manifest, ['kv', 'frobnicate'])).toBeUndefined();
    expect(findCommand(manifest, ['--json', 'kv', 'get'])).toBeUndefined();
  });
});

describe('hoistGlobalFlags', () => {
  const cases: Array<[string[], string[]]> = [
    [
      ['--profile', 'prod', 'kv', 'list'],
      ['kv', 'list', '--profile', 'prod'],
    ],
    [
      ['-n', 'users', 'kv', 'get', 'k'],
      ['kv', 'get', '-n', 'users', 'k'],
    ],
    [
      ['--backend', 'http', '--url=U', '--json', 'ns', 'list'],
      ['ns', 'list', '--backend', 'http', '--url=U', '--json'],
    ],
    // Left alone: no flags first, a flag that is not global, no command after the flags.
    [
      ['kv', 'get', 'k', '-n', 'x'],
      ['kv', 'get', 'k', '-n', 'x'],
    ],
    [
      ['--help', 'kv', 'get'],
      ['--help', 'kv', 'get'],
    ],
    [
      ['--prefix', 'p', 'kv', 'list'],
      ['--prefix', 'p', 'kv', 'list'],
    ],
    [
      ['-n', 'kv', 'get', 'k'],
      ['-n', 'kv', 'get', 'k'],
    ],
    [['--profile'], ['--profile']],
  ];
  for (const [argv, expected] of cases) {
    it(`${JSON.stringify(argv)} → ${JSON.stringify(expected)}`, () => {
      expect(hoistGlobalFlags(manifest, argv)).toEqual(expected);
    });
  }
});
