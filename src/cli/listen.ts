/**
 * What the long-running commands (`kvadm serve`, `kvadm azion emulate`) share: a port that
 * cannot be had is a usage error naming it, and the process runs until SIGINT or SIGTERM,
 * then closes gracefully (a second signal exits at once).
 */
import { UsageError } from '../lib/errors.js';

/** The server once it listens; `start` rejects with the listen error otherwise. */
export async function listenOn<T>(start: Promise<T>, where: { host: string; port: number }): Promise<T> {
  try {
    return await start;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE' || code === 'EACCES' || code === 'EADDRNOTAVAIL') {
      throw new UsageError(
        `cannot listen on ${where.host}:${where.port}: ${(error as Error).message}`,
        'choose another --port (0 picks a free one)',
      );
    }
    throw error;
  }
}

/**
 * Resolve once the first SIGINT or SIGTERM has closed `server`; `stopping` says on stderr what
 * happens meanwhile. A second signal exits at once with 130.
 */
export function runUntilSignal(name: string, server: { close(): Promise<void> }, stopping: string): Promise<void> {
  return new Promise<void>((resolve) => {
    const stop = (signal: NodeJS.Signals) => {
      process.stderr.write(`${name}: ${signal}: ${stopping}\n`);
      process.once(signal, () => process.exit(130));
      server.close().then(resolve, (error) => {
        process.stderr.write(`${name}: error while closing: ${(error as Error).message}\n`);
        resolve();
      });
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
}
