/** Helpers shared by tests: temporary folders and running the real CLI binary. */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const binPath = path.join(repoRoot, 'bin', 'run.js');

export function tempDir(label = 'tmp'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `kvadm-${label}-`));
}

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
  stdoutBytes: Buffer;
}

export interface CliOptions {
  env?: NodeJS.ProcessEnv;
  /** Bytes written to stdin, which is then closed; stdin is closed at once when absent. */
  input?: string | Uint8Array;
  cwd?: string;
  /** The script run in place of bin/run.js (a copy of the package laid out differently). */
  bin?: string;
  /** Kill the child after this long (for a child that is meant to be stopped); none by default. */
  timeoutMs?: number;
}

/**
 * The environment of a child kvadm: ours plus `extra`, without vitest's NODE_ENV=test,
 * under which oclif looks for tsx/ts-node to run src/ instead of dist/ (slower, and not
 * what users run).
 */
export function childEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env = { ...process.env, ...extra };
  delete env.NODE_ENV;
  return env;
}

/** Run bin/run.js with `args`; resolves with the exit code and what it printed. */
export function runCli(args: string[], options: CliOptions = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [options.bin ?? binPath, ...args], {
      cwd: options.cwd ?? repoRoot,
      env: childEnv(options.env),
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => err.push(chunk));
    // No default limit: a slow machine is not a failure; vitest's testTimeout catches a hang.
    const timer =
      options.timeoutMs === undefined
        ? undefined
        : setTimeout(() => {
            child.kill('SIGKILL');
            reject(new Error(`kvadm ${args.join(' ')} did not finish within ${options.timeoutMs} ms`));
          }, options.timeoutMs);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const stdoutBytes = Buffer.concat(out);
      resolve({
        code: code ?? (signal ? 128 : 1),
        stdout: stdoutBytes.toString('utf8'),
        stderr: Buffer.concat(err).toString('utf8'),
        stdoutBytes,
      });
    });
    child.stdin.on('error', () => undefined);
    if (options.input !== undefined) child.stdin.end(options.input);
    else child.stdin.end();
  });
}
