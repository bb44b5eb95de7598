/**
 * `kvadm azion emulate`: the bridge Function's own fetch handler (bridge/bridge.ts) served
 * by node:http, with kvadm's local store standing in for Azion: `Azion.KV` is kvadm's KV
 * client over a LocalBackend, and Azion's namespace REST API (the only way to create or
 * list namespaces) is answered on the same port under /v4, from the same store. What runs
 * is exactly the code `kvadm azion bridge` writes out for Azion.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Backend, Clock, StoredEntry } from '../backends/backend.js';
import { systemClock } from '../backends/backend.js';
import type { RequestClock } from '../server/request-clock.js';
import { urlHost } from '../server/url-host.js';
import { WriteLimiter } from '../server/write-limiter.js';
import { type BridgeEnv, handleRequest } from './bridge/bridge.js';
import { installAzionRuntime } from './runtime.js';
import { serveNamespaceApi } from './namespace-api.js';

export interface EmulatorOptions {
  backend: Backend;
  host: string;
  port: number;
  /** The bearer secret clients send (the bridge's KVADM_BRIDGE_TOKEN). */
  token: string;
  /** Where access-log lines go; null for none. */
  accessLog?: ((line: string) => void) | null;
  /** Time for the runtime and the bridge (default the system clock; `requestClock`'s when that is given). */
  clock?: Clock;
  /** Refuse a second write to a key within a second, as Azion does (default off, like `serve --no-write-limit`). */
  writeLimit?: boolean;
  /**
   * Tests only: run each bridge request at the time its `kvadm-test-now` header gives (see
   * request-clock.ts), as `kvadm serve --test-clock-header` does. The backend should read
   * the same clock (`requestClock.clock`), so the store and the bridge agree on the time.
   */
  requestClock?: RequestClock;
}

export interface RunningEmulator {
  /** The bridge: http://HOST:PORT/client/v4 */
  url: string;
  /** The stand-in of Azion's REST API for namespaces: http://HOST:PORT/v4 */
  apiUrl: string;
  close(): Promise<void>;
}

/**
 * The store with Azion's write limit: a second write to a key within a second is refused as
 * Azion refuses it (an error saying 429), which is what the bridge's index backoff is built for.
 */
export function withWriteLimit(backend: Backend, clock: Clock): Backend {
  const limiter = new WriteLimiter(clock);
  const put = async (namespace: string, entry: StoredEntry): Promise<void> => {
    if (limiter.tryWrite(namespace, entry.key) > 0) {
      throw new Error(`429 Too Many Requests: key ${JSON.stringify(entry.key)} was written less than a second ago (1 write/s per key)`);
    }
    return backend.put(namespace, entry);
  };
  return new Proxy(backend, {
    get(target, property) {
      if (property === 'put') return put;
      const value = Reflect.get(target, property, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

export async function startEmulator(options: EmulatorOptions): Promise<RunningEmulator> {
  const { requestClock } = options;
  const clock = requestClock?.clock ?? options.clock ?? systemClock;
  // One secret for both doors: the bridge reaches the namespace API with it (as it reaches
  // Azion's with a personal token), and so can `kvadm --backend azion` as its azion-token.
  const apiToken = options.token;
  // kvadm/azion's runtime: Azion.KV over the store (the bridge uses only what Azion offers: open, delete, put, get…).
  const runtime = installAzionRuntime({
    backend: options.writeLimit ? withWriteLimit(options.backend, clock) : options.backend,
    clock,
  });
  let apiUrl = '';
  const env = (): BridgeEnv => ({
    KVADM_BRIDGE_TOKEN: options.token,
    KVADM_AZION_TOKEN: apiToken,
    KVADM_AZION_API_URL: apiUrl,
    // The bridge reads this only in tests: on Azion it takes Date.now().
    ...(requestClock ? { kvadmTestClock: clock } : {}),
  });

  const server = http.createServer((request, response) => {
    const started = performance.now();
    const path = (request.url ?? '/').split('?', 1)[0] as string;
    const handled = path.startsWith('/v4/')
      ? serveNamespaceApi(request, response, { backend: options.backend, token: apiToken })
      : requestClock
        ? requestClock.runRequest(request.headers, () => serveBridge(request, response, env()))
        : serveBridge(request, response, env());
    handled
      .catch((error: unknown) => {
        process.stderr.write(`kvadm azion emulate: internal error: ${(error as Error).stack ?? String(error)}\n`);
        if (!response.headersSent) response.writeHead(500, { 'content-type': 'text/plain' });
        response.end();
      })
      .finally(() => {
        options.accessLog?.(
          `${new Date().toISOString()} ${request.socket.remoteAddress ?? '-'} ${request.method} ${path} ${response.statusCode} ${(performance.now() - started).toFixed(1)}ms\n`,
        );
      });
  });
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const origin = `http://${urlHost(options.host)}:${port}`;
  apiUrl = `${origin}/v4`;
  let closing: Promise<void> | undefined;
  return {
    url: `${origin}/client/v4`,
    apiUrl,
    close() {
      closing ??= (async () => {
        await new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeIdleConnections();
        });
        await runtime.uninstall();
        await options.backend.close();
      })();
      return closing;
    },
  };
}

/** node:http → web Request → the bridge's handler → web Response → node:http, bodies streamed both ways. */
async function serveBridge(request: http.IncomingMessage, response: http.ServerResponse, env: BridgeEnv): Promise<void> {
  const headers = new Headers();
  for (let i = 0; i < request.rawHeaders.length; i += 2)
    headers.append(request.rawHeaders[i] as string, request.rawHeaders[i + 1] as string);
  const method = request.method ?? 'GET';
  const hasBody = method !== 'GET' && method !== 'HEAD';
  const webRequest = new Request(`http://${request.headers.host ?? 'localhost'}${request.url ?? '/'}`, {
    method,
    headers,
    ...(hasBody ? { body: Readable.toWeb(request) as ReadableStream<Uint8Array>, duplex: 'half' } : {}),
  } as RequestInit);
  const webResponse = await handleRequest(webRequest, env);
  const outHeaders: Record<string, string> = {};
  webResponse.headers.forEach((value, name) => {
    outHeaders[name] = value;
  });
  response.writeHead(webResponse.status, outHeaders);
  if (webResponse.body === null || method === 'HEAD') {
    response.end();
    return;
  }
  await pipeline(Readable.fromWeb(webResponse.body as import('node:stream/web').ReadableStream<Uint8Array>), response);
  // A request body the handler never read (an early refusal) is drained so the connection stays usable.
  if (hasBody && !request.complete) request.resume();
}
