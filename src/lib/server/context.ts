/** What every route handler shares: the store, the clock, the write limit, the namespace locks. */
import type { FastifyRequest } from 'fastify';
import type { Backend, Clock } from '../backends/backend.js';
import { KV } from '../kv.js';
import type { NamespaceLocks } from './namespace-locks.js';
import type { WriteLimiter } from './write-limiter.js';
import { type WireError, badRequest } from './envelope.js';

export interface ServerContext {
  backend: Backend;
  clock: Clock;
  /** null when `--no-write-limit` turned the per-key limit off. */
  limiter: WriteLimiter | null;
  locks: NamespaceLocks;
}

/** Every route lives under this prefix (the account id is accepted and ignored: one tenant). */
export const API_PREFIX = '/client/v4/accounts/:account/storage/kv/namespaces';
/** Index of the path segment after `/namespaces/:ns` in a raw URL: "", client, v4, accounts, :account, storage, kv, namespaces, :ns, here. */
export const SEGMENT_AFTER_NAMESPACE = 9;

export function kvOf(ctx: ServerContext, namespace: string): KV {
  return new KV(namespace, { backend: ctx.backend, clock: ctx.clock });
}

export function namespaceParam(request: FastifyRequest): string {
  return (request.params as { ns: string }).ns;
}

/** The request body parsed as JSON; malformed or missing JSON is a 400. */
export function jsonBody(request: FastifyRequest): unknown {
  const body = request.body;
  if (!Buffer.isBuffer(body) || body.byteLength === 0) throw badRequest('the request needs a JSON body');
  try {
    return JSON.parse(body.toString('utf8'));
  } catch (error) {
    throw badRequest(`malformed JSON in the request body: ${(error as Error).message}`);
  }
}

/** A query parameter that must be a whole number, or undefined when absent or empty. */
export function queryInt(query: Record<string, unknown>, name: string, min: number, max: number): number | undefined {
  const raw = query[name];
  if (raw === undefined || raw === '') return undefined;
  const n = typeof raw === 'string' && /^\d+$/.test(raw) ? Number(raw) : Number.NaN;
  if (!Number.isSafeInteger(n) || n < min || n > max) {
    throw badRequest(`invalid ${name} ${JSON.stringify(raw)}: give a whole number from ${min} to ${max}`);
  }
  return n;
}

const DRAIN_MAX_BYTES = 64 * 1024 * 1024;

/** An onRequest hook answering 413 from Content-Length alone, before any of the body is read. */
export function contentLengthLimit(maxBytes: number | ((request: FastifyRequest) => number), tooLarge: (bytes: number) => WireError) {
  return async (request: FastifyRequest): Promise<void> => {
    const header = request.headers['content-length'];
    if (header === undefined) return;
    const bytes = Number(header);
    const limit = typeof maxBytes === 'number' ? maxBytes : maxBytes(request);
    if (Number.isFinite(bytes) && bytes > limit) {
      const error = tooLarge(bytes);
      // The body is never buffered. Up to DRAIN_MAX_BYTES Node reads and discards it after
      // the answer, so a client still sending gets the 413 rather than a broken pipe; a
      // larger body is not worth reading: the connection closes instead.
      if (bytes > DRAIN_MAX_BYTES) error.headers.connection = 'close';
      throw error;
    }
  };
}
