/**
 * Starting and stopping `kvadm serve`: listen, report the bound base URL, and close
 * gracefully (in-flight requests finish, then the store is closed).
 */
import type { FastifyInstance } from 'fastify';
import { type ServerOptions, buildApp } from './app.js';
import { urlHost } from './url-host.js';

export type { ServerOptions } from './app.js';
export { RequestClock } from './request-clock.js';

export interface RunningServer {
  /** The base URL clients use: http://HOST:PORT/client/v4 */
  url: string;
  app: FastifyInstance;
  /** Stop accepting connections, let in-flight requests finish, close the store. */
  close(): Promise<void>;
}

export async function startServer(options: ServerOptions & { host: string; port: number }): Promise<RunningServer> {
  const app = await buildApp(options);
  await app.listen({ host: options.host, port: options.port });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  let closing: Promise<void> | undefined;
  return {
    url: `http://${urlHost(options.host)}:${port}/client/v4`,
    app,
    close() {
      closing ??= (async () => {
        await app.close();
        await options.backend.close();
      })();
      return closing;
    },
  };
}

/** Loopback addresses: the only ones `kvadm serve` listens on without a token. */
export function isLoopback(host: string): boolean {
  const bare = host.replace(/^\[|\]$/g, '').toLowerCase();
  return bare === 'localhost' || bare === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(bare) || bare === '::ffff:127.0.0.1';
}
