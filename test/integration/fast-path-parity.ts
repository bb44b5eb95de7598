// The parity table of the fast path (src/cli/dispatch.ts) against oclif: every invocation
// runs both ways with the same store before each run — the fast path as bin/run.js runs it
// (in this process, runFastPath; through the spawned binary for the cases marked `binary`),
// and oclif in this process (runCommand: what the binary does with KVADM_NO_FAST_PATH=1) —
// and must give the same exit code, the same stdout bytes and the same stderr. Split over
// fast-path.test.ts and fast-path-stores.test.ts so the two halves run in parallel workers.
import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, expect, it } from 'vitest';
import { type BackendTarget, forEachBackend } from '../backends.js';
import { type CliResult, runCli, tempDir } from '../helpers.js';
import { runCommand, runFastPath } from '../run-command.js';

export interface ParityCase {
  argv: string[];
  input?: string | Uint8Array;
  /** Keys to (re)write before each of the two runs, so state-changing commands start alike. */
  seed?: string[];
  /**
   * Commands run through oclif before each of the two runs, after `seed`: each must exit 0, or
   * 3 for an `ns delete` of a namespace already gone (a case before may have deleted it).
   */
  setup?: string[][];
  /** Files the command writes: removed before each run, and their bytes compared after. */
  files?: string[];
  /** Also run on the http target (the whole table runs on the local one). */
  remote?: true;
  /**
   * Run the fast side through the real binary (bin/run.js, spawned) rather than the fast path
   * in this process: for a few cases of each kind, so what only the binary does (its
   * process.exit with the action's code, its stdout and stdin) stays compared too.
   */
  binary?: true;
  /** The output carries durations and rates (summaries of import, export, diff, sync, copy): compared with those masked. */
  timed?: true;
}

/** A summary's seconds and keys/s, which differ from run to run, masked: "0.02 s, 114 keys/s", "(0.02 s)", JSON fields. */
function maskTimes(text: string): string {
  return text
    .replace(/\d+(\.\d+)? s, [\d,]+ keys\/s/g, 'T s, R keys/s')
    .replace(/\(\d+(\.\d+)? s\)/g, '(T s)')
    .replace(/"(seconds|keysPerSecond)": [\d.]+/g, '"$1": 0');
}

/** Where export writes its files: a folder of the test's own, never the repository. */
const exportDir = tempDir('fast-export');
const exportJson = path.join(exportDir, 'left.json');
const exportCsv = path.join(exportDir, 'left.csv');

/** `mirror` emptied but for a key only it has, before a sync or copy into it. */
const resetMirror = [
  ['ns', 'delete', 'mirror', '--force'],
  ['ns', 'create', 'mirror'],
  ['kv', 'put', '-n', 'mirror', 'only-in-mirror', 'x'],
];

const binary = Buffer.from([0, 1, 2, 0xff, 0xfe, 10, 13, 0x80]);

const cases: ParityCase[] = [
  // kv get
  { argv: ['kv', 'get', 'greeting'] },
  { argv: ['kv', 'get', 'bin'], remote: true, binary: true },
  { argv: ['kv', 'get', 'doc', '--type', 'json'] },
  { argv: ['kv', 'get', 'doc', '-t', 'text'] },
  { argv: ['kv', 'get', 'doc', '--with-metadata'], remote: true },
  { argv: ['kv', 'get', 'bin', '--with-metadata'] },
  { argv: ['kv', 'get', 'greeting', '--json'] },
  { argv: ['kv', 'get', 'k', '-n', 'other'] },
  { argv: ['kv', 'get', '--namespace=other', 'k'] },
  { argv: ['kv', 'get', 'missing'], remote: true, binary: true },
  { argv: ['kv', 'get', 'missing', '--json'] },
  { argv: ['kv', 'get', 'greeting', '-n', 'nope'], remote: true },
  { argv: ['kv', 'get', 'greeting', '--cache-ttl', '59'] },
  { argv: ['kv', 'get', 'greeting', '--type', 'bogus'] },
  { argv: ['kv', 'get', 'greeting', '--bogus'], remote: true },
  { argv: ['kv', 'get', 'greeting', 'extra'] },
  { argv: ['kv', 'get'] },
  { argv: ['kv', 'get', ''] },
  { argv: ['kv', 'get', 'greeting', '-n', 'bad/name'] },
  { argv: ['kv', 'get', '--type', 'text', '--type', 'json', 'greeting'] },
  // global flags before the command
  { argv: ['-n', 'other', 'kv', 'get', 'k'], remote: true },
  { argv: ['--namespace=other', '--json', 'kv', 'get', 'k'] },
  { argv: ['--profile', 'nope', 'kv', 'list'] },
  // kv put
  { argv: ['kv', 'put', 'p1', 'v1'] },
  { argv: ['kv', 'put', 'p1', 'v1', '--json'], remote: true },
  { argv: ['kv', 'put', 'p2', '-'], input: binary, remote: true, binary: true },
  { argv: ['kv', 'put', 'p3', 'v', '--metadata', '{"a":1}', '--json'] },
  { argv: ['kv', 'put', 'p3', 'v', '--metadata', 'not json'] },
  { argv: ['kv', 'put', 'p3', 'v', '--ttl', '30'], remote: true },
  { argv: ['kv', 'put', 'p3', 'v', '--ttl', '60', '--expiration', '9999999999'] },
  { argv: ['kv', 'put', 'p4', 'not json', '--json-value'] },
  { argv: ['kv', 'put', 'p5', '--file', 'no-such-file'] },
  { argv: ['kv', 'put', 'p6', 'v', '-n', 'nope'] },
  { argv: ['kv', 'put'] },
  { argv: ['kv', 'put', 'a', 'b', 'c'] },
  // kv list
  { argv: ['kv', 'list'] },
  { argv: ['kv', 'list', '--json'], remote: true, binary: true },
  { argv: ['kv', 'list', '--limit', '1'], remote: true },
  { argv: ['kv', 'list', '-l', 'abc'] },
  { argv: ['kv', 'list', '-l', '0'] },
  { argv: ['kv', 'list', '--limit', '1', '--all'] },
  { argv: ['kv', 'list', '--all', '--prefix', 'd'] },
  { argv: ['kv', 'list', '-n', 'nope'] },
  { argv: ['kv', 'list', '--cursor', 'made-up'] },
  // kv delete
  { argv: ['kv', 'delete', 'del-1', 'missing'], seed: ['del-1'], remote: true },
  { argv: ['kv', 'delete', 'del-1', '--json'], seed: ['del-1'] },
  { argv: ['kv', 'delete'] },
  { argv: ['kv', 'delete', '--prefix', 'del-', '--force'], seed: ['del-1', 'del-2'] },
  { argv: ['kv', 'delete', '--prefix', 'del-'], seed: ['del-1'] },
  { argv: ['kv', 'delete', 'k', '--prefix', 'del-'] },
  { argv: ['kv', 'delete', '--from-file', '-', '--force'], input: 'del-1\ndel-2\nmissing\n', seed: ['del-1', 'del-2'], remote: true },
  { argv: ['kv', 'delete', '--prefix', 'del-', '--from-file', 'x'] },
  // ns list
  { argv: ['ns', 'list'] },
  { argv: ['ns', 'list', '--json'], remote: true, binary: true },
  { argv: ['ns', 'list', 'extra'] },
  // import
  {
    argv: ['import', '-', '--format', 'jsonl', '-n', 'other'],
    input: '{"key":"i1","value":"a"}\n{"key":"i2","value":"b","metadata":{"m":1}}\n',
    timed: true,
    remote: true,
  },
  { argv: ['import', '-', '--format', 'jsonl', '-n', 'other', '--json'], input: '{"key":"i1","value":"a"}\n', timed: true },
  { argv: ['import', '-', '--format', 'csv', '-n', 'other', '--dry-run'], input: 'key,value\ni3,c\n', timed: true },
  {
    argv: ['import', '-', '--format', 'jsonl', '-n', 'other'],
    input: '{"key":"i1","value":"a"}\n{"key":"","value":"b"}\n',
    timed: true,
    remote: true,
  },
  {
    argv: ['import', '-', '--format', 'jsonl', '-n', 'other', '--skip-invalid'],
    input: '{"key":"i4"}\n{"key":"i5","value":"e"}\n',
    timed: true,
  },
  { argv: ['import', '-', '--format', 'jsonl', '--rejects', 'r.jsonl'], input: '{"key":"i1","value":"a"}\n' },
  { argv: ['import', '-', '-n', 'other'], input: '{"key":"i1","value":"a"}\n' },
  { argv: ['import', 'no-such-file.json', '-n', 'other'] },
  { argv: ['import', '-', '--format', 'yaml'], input: 'x' },
  { argv: ['import', '-', '--format', 'jsonl', '-n', 'nope'], input: '{"key":"i1","value":"a"}\n', timed: true },
  // diff: left and twin hold the same entries; right differs from left in every way (see beforeAll)
  { argv: ['diff', 'left', 'twin'], timed: true },
  { argv: ['diff', 'left', 'right'], timed: true, remote: true, binary: true },
  { argv: ['diff', 'left', 'right', '--json'], timed: true },
  { argv: ['diff', 'left', 'right', '--keys-only', '-p', 'b'], timed: true },
  { argv: ['diff', 'left', 'nope'], timed: true },
  { argv: ['diff', 'nope', 'left', '--json'], timed: true },
  { argv: ['diff', 'left', 'twin', '-n', 'left'] },
  { argv: ['diff', 'left', 'no-such-profile:twin'] },
  { argv: ['diff', 'left'] },
  { argv: ['diff', 'left', 'twin', 'extra'] },
  { argv: ['diff', 'left', 'twin', '--bogus'] },
  // sync
  { argv: ['sync', 'left', 'right', '--dry-run'], timed: true },
  { argv: ['sync', 'left', 'twin'], timed: true },
  { argv: ['sync', 'left', 'mirror'], setup: resetMirror, timed: true, remote: true, binary: true },
  { argv: ['sync', 'left', 'mirror', '--delete', '--force', '--json'], setup: resetMirror, timed: true },
  { argv: ['sync', 'left', 'mirror', '--delete'], setup: resetMirror, timed: true, remote: true },
  { argv: ['sync', 'left', 'mirror', '--create-namespace'], setup: [['ns', 'delete', 'mirror', '--force']], timed: true },
  { argv: ['sync', 'left', 'mirror'], setup: [['ns', 'delete', 'mirror', '--force']], timed: true },
  { argv: ['sync', 'left', 'mirror', '--force', '--bogus'] },
  { argv: ['sync', 'left'] },
  // copy
  { argv: ['copy', 'left', 'mirror'], setup: resetMirror, timed: true, remote: true },
  { argv: ['copy', 'left', 'mirror', '--create-namespace', '--json'], setup: [['ns', 'delete', 'mirror', '--force']], timed: true },
  { argv: ['copy', 'left', 'mirror', '-p', 'a'], setup: resetMirror, timed: true },
  { argv: ['copy', 'nope', 'mirror'], timed: true },
  { argv: ['copy', 'left', 'mirror'], setup: [['ns', 'delete', 'mirror', '--force']], timed: true },
  { argv: ['copy', 'left'] },
  { argv: ['copy', 'left', 'mirror', '--delete'] },
  // export: the data on stdout, or into a file; the summary on stderr (with --json too, when the data is on stdout)
  { argv: ['export', '-n', 'left'], timed: true, remote: true, binary: true },
  { argv: ['export', '-n', 'left', '--json'], timed: true },
  { argv: ['export', '-', '-n', 'left', '--format', 'csv', '-p', 'b'], timed: true },
  { argv: ['export', exportJson, '-n', 'left'], files: [exportJson], timed: true, remote: true },
  { argv: ['export', exportCsv, '-n', 'left', '--json'], files: [exportCsv], timed: true },
  { argv: ['export', '-n', 'nope'], timed: true },
  { argv: ['export', path.join(exportDir, 'left.txt'), '-n', 'left'], timed: true },
  { argv: ['export', '-n', 'left', '--format', 'yaml'] },
  { argv: ['export', 'a', 'b', '-n', 'left'] },
  // help stays oclif's
  { argv: ['kv', 'put', '--help'] },
];

/**
 * Seed and set up, then run `testCase` through the binary (fast path) or in this process
 * (oclif); with the bytes of the files it wrote.
 */
async function run(target: BackendTarget, testCase: ParityCase, via: 'fast' | 'oclif'): Promise<CliResult & { files: string[] }> {
  const env = target.env();
  for (const key of testCase.seed ?? []) expect((await runCommand(['kv', 'put', key, 'seeded'], { env })).code).toBe(0);
  for (const argv of testCase.setup ?? []) {
    const done = await runCommand(argv, { env });
    const allowed = argv[0] === 'ns' && argv[1] === 'delete' ? [0, 3] : [0];
    expect(allowed, `${argv.join(' ')}: ${done.stderr}`).toContain(done.code);
  }
  for (const file of testCase.files ?? []) fs.rmSync(file, { force: true });
  const options = { env, ...(testCase.input === undefined ? {} : { input: testCase.input }) };
  const fast = testCase.binary ? runCli : runFastPath;
  const result = await (via === 'fast' ? fast(testCase.argv, options) : runCommand(testCase.argv, options));
  return { ...result, files: (testCase.files ?? []).map((file) => fs.readFileSync(file, 'latin1')) };
}

/** Commands that work on two stores or a whole namespace: their cases run in a file of their own (fast-path-stores.test.ts), beside the others. */
export const STORE_COMMANDS = new Set(['export', 'diff', 'sync', 'copy']);
export const isStoreCase = (testCase: ParityCase) => STORE_COMMANDS.has(testCase.argv[0] as string);

/** The parity tests of the cases `include` picks, on every backend target. */
export function defineParityTests(title: string, include: (testCase: ParityCase) => boolean): void {
  forEachBackend(
    `the fast path and oclif answer alike: ${title}`,
    (target) => {
      beforeAll(async () => {
        const env = target.env();
        const first = await runCommand(['kv', 'put', 'greeting', 'héllo wörld'], { env });
        expect(first.code, first.stderr).toBe(0);
        expect((await runCommand(['kv', 'put', 'doc', '{"a":[1,2]}', '--metadata', '{"m":1}'], { env })).code).toBe(0);
        expect((await runCommand(['kv', 'put', 'bin', '-'], { env, input: binary })).code).toBe(0);
        expect((await runCommand(['ns', 'create', 'other'], { env })).code).toBe(0);
        expect((await runCommand(['kv', 'put', '-n', 'other', 'k', 'v'], { env })).code).toBe(0);
        // For diff, sync, copy and export: twin holds what left holds; right has a key changed in
        // value and one in metadata, lacks one and has one of its own (with a tab: printed quoted).
        for (const name of ['left', 'twin', 'right', 'mirror']) expect((await runCommand(['ns', 'create', name], { env })).code).toBe(0);
        for (const [namespace, key, value, ...flags] of [
          ['left', 'a', '1'],
          ['left', 'b1', 'two', '--metadata', '{"m":1}'],
          ['left', 'b2', 'three'],
          ['left', 'c', 'héllo'],
          ['twin', 'a', '1'],
          ['twin', 'b1', 'two', '--metadata', '{"m":1}'],
          ['twin', 'b2', 'three'],
          ['twin', 'c', 'héllo'],
          ['right', 'a', '1'],
          ['right', 'b1', 'two', '--metadata', '{"m":2}'],
          ['right', 'b2', 'THREE'],
          ['right', 'tab\tkey', 'x'],
        ] as string[][]) {
          const put = await runCommand(['kv', 'put', '-n', namespace as string, key as string, value as string, ...flags], { env });
          expect(put.code, put.stderr).toBe(0);
        }
      });

      for (const testCase of cases.filter((c) => include(c) && (target.name === 'local' || c.remote))) {
        it(`kvadm ${JSON.stringify(testCase.argv)}${testCase.input === undefined ? '' : ' with stdin'}`, async () => {
          const fast = await run(target, testCase, 'fast');
          const slow = await run(target, testCase, 'oclif');
          const shown = (text: string) => (testCase.timed ? maskTimes(text) : text);
          expect({ code: fast.code, stderr: shown(fast.stderr), stdout: shown(fast.stdout), files: fast.files }).toEqual({
            code: slow.code,
            stderr: shown(slow.stderr),
            stdout: shown(slow.stdout),
            files: slow.files,
          });
          if (!testCase.timed) expect(fast.stdoutBytes.equals(slow.stdoutBytes)).toBe(true);
        });
      }

      it('the binary writes the seeded binary value byte for byte', async () => {
        const result = await runCli(['kv', 'get', 'bin'], { env: target.env() });
        expect(result.stdoutBytes.equals(binary)).toBe(true);
      });
    },
    // Both paths run against the same server: which server it is changes nothing the two could
    // disagree on, and the emulator's target is the http backend again.
    { only: ['local', 'http'] },
  );
}
