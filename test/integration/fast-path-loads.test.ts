// What a command run by bin/run.js loads: the fast commands (src/cli/dispatch.ts) neither
// @oclif/core nor, on a remote backend, better-sqlite3; help goes through oclif; global flags
// before the command reach the same store on both paths.
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { forEachBackend } from '../backends.js';
import { type CliResult, runCli, tempDir } from '../helpers.js';
import { runCommand } from '../run-command.js';

/**
 * A child kvadm that records, on exit, which CommonJS modules it loaded (@oclif/core and
 * better-sqlite3 are both CommonJS, so their absence shows what a run did not pay for) and
 * which of Node's own modules (`crypto`, `v8`: each costs milliseconds to load).
 */
async function loadedModules(
  argv: string[],
  env: NodeJS.ProcessEnv,
): Promise<{ result: CliResult; modules: string[]; builtins: string[] }> {
  const dir = tempDir('probe');
  const probe = path.join(dir, 'probe.cjs');
  const out = path.join(dir, 'modules.json');
  fs.writeFileSync(
    probe,
    `process.on('exit', () => require('node:fs').writeFileSync(${JSON.stringify(out)}, JSON.stringify({
      modules: Object.keys(require.cache),
      builtins: process.moduleLoadList.filter((m) => m.startsWith('NativeModule ')).map((m) => m.slice('NativeModule '.length)),
    })));\n`,
  );
  const result = await runCli(argv, { env: { ...env, NODE_OPTIONS: `--require ${probe}` } });
  return { result, ...(JSON.parse(fs.readFileSync(out, 'utf8')) as { modules: string[]; builtins: string[] }) };
}

const runFile = promisify(execFile);

const loads = (modules: string[], name: string) =>
  modules.some((file) => file.includes(`${path.sep}node_modules${path.sep}${name}${path.sep}`));

forEachBackend(
  'what a command loads',
  (target) => {
    beforeAll(async () => {
      expect((await runCommand(['kv', 'put', 'greeting', 'hello'], { env: target.env() })).code).toBe(0);
    });

    // kv get: below, with what it loads of better-sqlite3.
    const fastInvocations = [
      ['kv', 'put', 'loaded', 'v'],
      ['kv', 'list', '--json'],
      ['kv', 'delete', 'loaded'],
      ['ns', 'list'],
      ['--json', 'ns', 'list'],
      ['import', '-', '--format', 'jsonl', '--dry-run'],
      ['export', '-n', 'default'],
      ['diff', 'default', 'default'],
      ['sync', 'default', 'synced', '--create-namespace', '--delete', '--force'],
      ['copy', 'default', 'copied', '--create-namespace'],
    ];
    // The commands over two stores take the same path into their action on every backend: the local one shows it.
    const storeCommands = new Set(['export', 'diff', 'sync', 'copy']);
    for (const argv of fastInvocations.filter((a) => target.name === 'local' || !storeCommands.has(a[0] as string))) {
      it(`kvadm ${argv.join(' ')} runs without loading oclif`, async () => {
        const { result, modules } = await loadedModules(argv, target.env());
        expect(result.code).toBe(0);
        expect(loads(modules, '@oclif/core')).toBe(false);
      });
    }

    it.runIf(target.name === 'local')('kvadm sync --delete refuses off a terminal without loading oclif', async () => {
      const env = target.env();
      expect((await runCommand(['ns', 'create', 'refusing'], { env })).code).toBe(0);
      expect((await runCommand(['kv', 'put', '-n', 'refusing', 'only-here', 'x'], { env })).code).toBe(0);
      const { result, modules } = await loadedModules(['sync', 'default', 'refusing', '--delete'], env);
      expect(result.code).toBe(2);
      expect(result.stderr).toContain('without confirmation: not running on a terminal');
      expect(loads(modules, '@oclif/core')).toBe(false);
    });

    // Help reads no store: the same on every backend.
    it.runIf(target.name === 'local')('kvadm kv get --help goes through oclif', async () => {
      const { result, modules } = await loadedModules(['kv', 'get', '--help'], target.env());
      expect(result.code).toBe(0);
      expect(loads(modules, '@oclif/core')).toBe(true);
    });

    const sqliteExpected = target.name === 'local';
    for (const noFastPath of [false, true]) {
      it(`kv get ${noFastPath ? '(through oclif)' : 'runs without loading oclif and'} ${sqliteExpected ? 'loads' : 'does not load'} better-sqlite3 on the ${target.name} backend`, async () => {
        const { result, modules, builtins } = await loadedModules(['kv', 'get', 'greeting'], {
          ...target.env(),
          ...(noFastPath ? { KVADM_NO_FAST_PATH: '1' } : {}),
        });
        expect(result.stdout).toBe('hello');
        expect(loads(modules, 'better-sqlite3')).toBe(sqliteExpected);
        if (!noFastPath) {
          expect(loads(modules, '@oclif/core')).toBe(false);
          // Loaded on first use only (lazy-builtins.ts): a read hashes nothing and collects no garbage.
          expect(builtins).not.toContain('crypto');
          expect(builtins).not.toContain('v8');
        }
      });
    }
  },
  // What the client loads depends on its backend, not on the server: the emulator's target is the http backend too.
  { only: ['local', 'http'] },
);

describe("the fast path's bundle (dist/fast, scripts/bundle-fast-path.js)", () => {
  const root = path.resolve(import.meta.dirname, '../..');

  it('is what the compiled modules make now', async () => {
    // bin/run.js loads the fast path from the bundle: one built from older modules would run
    // old code (npm run build writes both; tsc alone does not).
    // --check exits 1 naming the files that differ; execFile rejects with its stderr.
    await expect(runFile(process.execPath, [path.join(root, 'scripts/bundle-fast-path.js'), '--check'])).resolves.toMatchObject({
      stderr: '',
    });
  });

  it('when missing, the fast path loads the same modules from dist/cli/', async () => {
    // A copy of the package without dist/fast/: what a build that stopped at tsc leaves.
    const copy = tempDir('no-bundle');
    fs.mkdirSync(path.join(copy, 'bin'));
    fs.mkdirSync(path.join(copy, 'dist'));
    fs.copyFileSync(path.join(root, 'bin/run.js'), path.join(copy, 'bin/run.js'));
    fs.copyFileSync(path.join(root, 'package.json'), path.join(copy, 'package.json'));
    fs.symlinkSync(path.join(root, 'dist/cli'), path.join(copy, 'dist/cli'));
    fs.symlinkSync(path.join(root, 'node_modules'), path.join(copy, 'node_modules'));
    const env = { KVADM_DATA_DIR: tempDir('no-bundle-data'), KVADM_CONFIG_DIR: tempDir('no-bundle-config') };
    const run = (argv: string[]) => runCli(argv, { env, bin: path.join(copy, 'bin/run.js') });
    expect(await run(['kv', 'put', 'k', 'from dist/cli'])).toMatchObject({ code: 0, stderr: '' });
    expect(await run(['kv', 'get', 'k'])).toMatchObject({ code: 0, stdout: 'from dist/cli' });
    expect((await run(['kv', 'get', 'missing'])).code).toBe(3);
  });
});

describe('global flags before the command', () => {
  it('--backend http --url U ns list reaches the server on both paths', async () => {
    const { startServe } = await import('../serve-process.js');
    const server = await startServe(['--quiet'], { env: { KVADM_TOKEN: 'secret' } });
    try {
      const env = { KVADM_TOKEN: 'secret' };
      for (const runner of [runCli, runCommand]) {
        expect((await runCommand(['--backend', 'http', '--url', server.url, 'ns', 'create', 'remote-only'], { env })).code).toBe(0);
        const listed = await runner(['--backend', 'http', '--url', server.url, 'ns', 'list'], { env });
        expect(listed).toMatchObject({ code: 0, stderr: '' });
        expect(listed.stdout.split('\n')).toContain('remote-only');
        expect((await runCommand(['--backend', 'http', '--url', server.url, 'ns', 'delete', 'remote-only', '--force'], { env })).code).toBe(
          0,
        );
      }
    } finally {
      await server.stop();
    }
  });
});
