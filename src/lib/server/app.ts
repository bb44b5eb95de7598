/**
 * The docs/PROTOCOL.md server as a fastify instance over any Backend. Every request goes
 * through the same KV client as the CLI (so validation cannot differ), errors become
 * the `{success, errors, messages, result}` envelope, and nothing a client sends can
 * produce a 500 short of a bug.
 */
import fastify, { type FastifyInstance, type FastifyReply } from 'fastify';
import multipart from '@fastify/multipart';
import type { Backend, Clock } from '../backends/backend.js';
import { systemClock } from '../backends/backend.js';
import { bearerChecker } from './auth.js';
import type { ServerContext } from './context.js';
import { WIRE_CODES, WireError, failure, toWire } from './envelope.js';
import { NamespaceLocks } from './namespace-locks.js';
import { registerBulkRoutes } from './routes/bulk.js';
import { BulkSessions, type BulkSessionsOptions } from './bulk-sessions.js';
import { registerNamespaceRoutes } from './routes/namespaces.js';
import { registerValueRoutes } from './routes/values.js';
import { WriteLimiter } from './write-limiter.js';
import type { RequestClock } from './request-clock.js';

export interface ServerTimeouts {
  /** Time a client has to send the request headers (slow-header clients are cut off). */
  headersMs: number;
  /** Time a client has to send the whole request. */
  requestMs: number;
  /** How long an idle keep-alive connection stays open. */
  keepAliveMs: number;
  /** Socket inactivity timeout. */
  idleMs: number;
}

const DEFAULT_TIMEOUTS: ServerTimeouts = {
  headersMs: 10_000,
  requestMs: 300_000,
  keepAliveMs: 5_000,
  idleMs: 120_000,
};

export interface ServerOptions {
  backend: Backend;
  /** When set, every request needs `Authorization: Bearer TOKEN`. */
  token?: string | undefined;
  /** Time for expirations and the write limit; tests move it. */
  clock?: Clock;
  /** At most one write per second to a key (default true). */
  writeLimit?: boolean;
  /** Where access-log lines go; null for none. Default: stderr. */
  accessLog?: ((line: string) => void) | null;
  /** How often expired keys are swept, in ms; 0 turns sweeping off. Default 60 s. */
  sweepIntervalMs?: number;
  timeouts?: Partial<ServerTimeouts>;
  /** Tests only: honour a per-request `kvadm-test-now` header (see request-clock.ts). */
  requestClock?: RequestClock;
  /** Staged bulk writes (bulk-sessions.ts); false leaves their routes out, as a server without sessions would. */
  bulkSessions?: BulkSessionsOptions | false;
}

/** Rows removed per namespace per sweep, so one sweep never stalls requests for long. */
const SWEEP_MAX_ROWS = 10_000;

export async function buildApp(options: ServerOptions): Promise<FastifyInstance> {
  const timeouts = { ...DEFAULT_TIMEOUTS, ...options.timeouts };
  const clock = options.requestClock?.clock ?? options.clock ?? systemClock;
  const ctx: ServerContext = {
    backend: options.backend,
    clock,
    limiter: options.writeLimit === false ? null : new WriteLimiter(clock),
    locks: new NamespaceLocks(),
  };

  const app = fastify({
    logger: false,
    // Namespace names are checked by the routes (400), not cut off by the router (404).
    routerOptions: { maxParamLength: 1024 },
    connectionTimeout: timeouts.idleMs,
    keepAliveTimeout: timeouts.keepAliveMs,
    requestTimeout: timeouts.requestMs,
    return503OnClosing: true,
    // Errors fastify raises before routing (a URL that does not decode) get the envelope too.
    frameworkErrors: (error, _request, reply) => {
      const wire = toWire(error);
      return (reply as FastifyReply).code(wire.status).headers(wire.headers).send(failure(wire.code, wire.message));
    },
    forceCloseConnections: 'idle',
    http: {
      headersTimeout: timeouts.headersMs,
      requestTimeout: timeouts.requestMs,
      // Node checks the two timeouts above on this interval (30 s by default).
      connectionsCheckingInterval: Math.min(1000, timeouts.headersMs),
    },
  });

  if (options.token) {
    const check = bearerChecker(options.token);
    app.addHook('onRequest', async (request) => {
      if (!check(request.headers.authorization)) {
        throw new WireError(401, WIRE_CODES.authentication, 'Authentication error', { 'www-authenticate': 'Bearer' });
      }
    });
  }

  const requestClock = options.requestClock;
  if (requestClock) {
    // After the body is read, so the handler runs inside the request's time.
    app.addHook('preHandler', (request, _reply, done) => {
      requestClock.runRequest(request.headers, () => done());
    });
  }

  const accessLog = options.accessLog === undefined ? (line: string) => process.stderr.write(line) : options.accessLog;
  if (accessLog) {
    app.addHook('onResponse', async (request, reply) => {
      const path = (request.raw.url ?? '').split('?', 1)[0];
      accessLog(
        `${new Date().toISOString()} ${request.ip} ${request.method} ${path} ${reply.statusCode} ${reply.elapsedTime.toFixed(1)}ms\n`,
      );
    });
  }

  // Bodies arrive as bytes whatever their content type: a value is stored exactly as sent,
  // and the routes that take JSON parse it themselves (malformed JSON is a 400 envelope).
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, body, done) => done(null, body));
  await app.register(multipart);

  app.setErrorHandler((error, _request, reply) => {
    const wire = toWire(error);
    // A bug (an error the server did not make on purpose): its stack goes to stderr.
    if (wire.code === WIRE_CODES.internal)
      process.stderr.write(`kvadm serve: internal error: ${(error as Error).stack ?? String(error)}\n`);
    return reply.code(wire.status).headers(wire.headers).send(failure(wire.code, wire.message));
  });
  app.setNotFoundHandler((request, reply) =>
    reply.code(404).send(failure(WIRE_CODES.noRoute, `No route for ${request.method} ${(request.raw.url ?? '').split('?', 1)[0]}`)),
  );

  registerNamespaceRoutes(app, ctx);
  registerValueRoutes(app, ctx);
  const sessions = options.bulkSessions === false ? null : new BulkSessions(ctx, options.bulkSessions);
  registerBulkRoutes(app, ctx, sessions);
  if (sessions) {
    // Before the server waits for requests in flight: a session's requests waiting for their
    // turn end with it, and its namespace is free again.
    app.addHook('preClose', async () => sessions.abortAll());
  }

  startTimers(app, ctx, options.sweepIntervalMs ?? 60_000, sessions);
  return app;
}

/** Quiet time after the last write before the store's deferred work runs (ms). */
const IDLE_CHECKPOINT_MS = 1000;

/**
 * Forget old write times every second; sweep expired keys of every namespace periodically;
 * checkpoint when idle; abort bulk sessions whose client has gone.
 */
function startTimers(app: FastifyInstance, ctx: ServerContext, sweepIntervalMs: number, sessions: BulkSessions | null): void {
  const timers: NodeJS.Timeout[] = [];
  if (sessions) {
    timers.push(setInterval(() => void sessions.expireIdle().catch(() => undefined), Math.min(1000, sessions.idleMs)).unref());
  }
  if (ctx.limiter) {
    const limiter = ctx.limiter;
    timers.push(setInterval(() => limiter.prune(), 1000).unref());
  }
  if (sweepIntervalMs > 0) {
    let sweeping = false;
    const sweep = async () => {
      if (sweeping) return;
      sweeping = true;
      try {
        for (const name of await ctx.backend.listNamespaces()) {
          await ctx.locks.run([name], () => ctx.backend.sweep(name, SWEEP_MAX_ROWS)).catch(() => undefined);
        }
      } finally {
        sweeping = false;
      }
    };
    timers.push(setInterval(() => void sweep().catch(() => undefined), sweepIntervalMs).unref());
  }
  const checkpoint = ctx.backend.checkpoint?.bind(ctx.backend);
  if (checkpoint) {
    // The store's deferred work (the local store folds its WAL into the files only at a large
    // threshold when serving, see serve.ts) is done once no write has come for a while.
    /** When the last write not yet checkpointed was answered; null when there is none. */
    let lastWriteAt: number | null = null;
    app.addHook('onResponse', async (request) => {
      if (request.method !== 'GET' && request.method !== 'HEAD') lastWriteAt = performance.now();
    });
    timers.push(
      setInterval(() => {
        if (lastWriteAt === null || performance.now() - lastWriteAt < IDLE_CHECKPOINT_MS) return;
        lastWriteAt = null;
        void checkpoint().catch(() => undefined);
      }, IDLE_CHECKPOINT_MS).unref(),
    );
  }
  app.addHook('onClose', async () => {
    for (const timer of timers) clearInterval(timer);
  });
}
