/**
 * The real binary, once per exit-code class (0, 1, 2, 3, 4, 6 and 10 here; 5 in
 * serve.test.ts, 130 in interrupted-jobs.test.ts): what bin/run.js and oclif's entry point
 * do with an error — print it once and exit with its code — is only seen in a process.
 * Everything else about a command is checked in process (test/commands).
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { forEachBackend } from '../backends.js';
import { binPath, childEnv, runCli, tempDir } from '../helpers.js';
import { runCommand } from '../run-command.js';

const noStack = (stderr: string) => expect(stderr).not.toMatch(/\n\s+at /);

forEachBackend(
  'kv put / get through the binary',
  (target) => {
    it('round-trips a value (exit 0) and exits 3 on a missing key', async () => {
      const put = await runCli(['kv', 'put', 'greeting', 'hello'], { env: target.env() });
      expect(put.code, put.stderr).toBe(0);
      const get = await runCli(['kv', 'get', 'greeting'], { env: target.env() });
      expect(get.stdout).toBe('hello');
      const missing = await runCli(['kv', 'get', 'nope'], { env: target.env() });
      expect(missing.code).toBe(3);
      expect(missing.stdout).toBe('');
      expect(missing.stderr).toContain('not found');
    });
  },
  // The subject is the binary's exit on each backend; the emulator's target is the http
  // backend again (its answers to put, get and a missing key: kv-library.test.ts, and the
  // command suites in commands-over-azion-emulator.test.ts).
  { only: ['local', 'http'] },
);

describe('exit codes of the binary', () => {
  it('help exits 0 and lists the topics', async () => {
    const help = await runCli(['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('kv');
    expect(help.stdout).toContain('ns');
  });

  it('a usage error through oclif exits 2 with one error line and a hint', async () => {
    const result = await runCli(['ns', 'create', '--bogus']);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(/^kvadm: error: .*--bogus/);
    expect(result.stderr).toContain('hint: see --help for the usage');
    noStack(result.stderr);
  });

  it('an existing namespace exits 4', async () => {
    const env = { KVADM_DATA_DIR: tempDir('exists') };
    const result = await runCli(['ns', 'create', 'default'], { env });
    expect(result.code).toBe(4);
    expect(result.stderr).toContain("'default'");
  });

  it('a namespace file that is not SQLite exits 1 naming the file, without a stack', async () => {
    const dir = tempDir('corrupt');
    fs.mkdirSync(path.join(dir, 'namespaces'));
    fs.writeFileSync(path.join(dir, 'namespaces', 'broken.sqlite'), 'this is not a database, just text that is long enough');
    const result = await runCli(['ns', 'info', 'broken'], { env: { KVADM_DATA_DIR: dir } });
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain('broken.sqlite');
    noStack(result.stderr);
  });

  it('an unreachable server exits 6 after its retries, naming the URL', async () => {
    const result = await runCli(['ns', 'list'], {
      env: { KVADM_BACKEND: 'http', KVADM_URL: 'http://127.0.0.1:9/client/v4', KVADM_HTTP_RETRIES: '0' },
    });
    expect(result.code).toBe(6);
    expect(result.stderr).toContain('cannot reach http://127.0.0.1:9/client/v4');
  });

  it('diff of two stores that differ exits 10 (process.exitCode, not an error)', async () => {
    const env = { KVADM_DATA_DIR: tempDir('differ') };
    expect((await runCommand(['ns', 'create', 'a'], { env })).code).toBe(0);
    expect((await runCommand(['kv', 'put', 'k', 'v', '-n', 'a'], { env })).code).toBe(0);
    const diff = await runCli(['diff', 'a', 'default'], { env });
    expect(diff.code, diff.stderr).toBe(10);
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
