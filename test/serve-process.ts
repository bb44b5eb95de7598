/** Running the real `kvadm serve` binary for tests: start on port 0, read the URL it prints, stop it. */
import { type ChildProcess, spawn } from 'node:child_process';
import { binPath, childEnv, repoRoot, tempDir } from './helpers.js';

export interface ServeProcess {
  /** Base URL, http://127.0.0.1:PORT/client/v4 */
  url: string;
  dataDir: string;
  child: ChildProcess;
  /** Everything printed on stderr so far. */
  stderr(): string;
  /** Send `signal` (default SIGTERM) and resolve with the exit code once the process is gone. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

export async function startServe(
  args: string[] = [],
  options: { env?: NodeJS.ProcessEnv; dataDir?: string; command?: string[] } = {},
): Promise<ServeProcess> {
  const dataDir = options.dataDir ?? tempDir('serve');
  const command = options.command ?? ['serve'];
  const child = spawn(process.execPath, [binPath, ...command, '--port', '0', '--data-dir', dataDir, ...args], {
    cwd: repoRoot,
    env: childEnv(options.env),
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  // No time limit of its own: a loaded machine starts slowly; vitest's hookTimeout catches a hang.
  const url = await new Promise<string>((resolve, reject) => {
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr += chunk.toString('utf8');
      const match = /^(http:\/\/\S+\/client\/v4)$/m.exec(stderr);
      if (match) resolve(match[1] as string);
    });
    child.on('exit', (code) => reject(new Error(`kvadm ${command.join(' ')} exited with ${code} before printing its URL: ${stderr}`)));
  });
  return {
    url,
    dataDir,
    child,
    stderr: () => stderr,
    async stop(signal = 'SIGTERM') {
      if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
      child.kill(signal);
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      const code = await exited;
      clearTimeout(timer);
      return code;
    },
  };
}
