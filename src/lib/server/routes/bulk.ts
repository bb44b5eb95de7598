/** Bulk routes: write (alone or in a bulk session, see bulk-sessions.ts), delete (both the POST and the older DELETE form), get. */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { BulkWriter, StoredEntry } from '../../backends/backend.js';
import type { KV, KVEntry } from '../../kv.js';
import { LIMITS } from '../../limits.js';
import { ValidationError } from '../../errors.js';
import { displayKey } from '../../validation.js';
import { WIRE_CODES, WireError, badRequest, success, toWire } from '../envelope.js';
import { API_PREFIX, type ServerContext, contentLengthLimit, jsonBody, kvOf, namespaceParam, queryInt } from '../context.js';
import type { BulkResult, BulkSessions } from '../bulk-sessions.js';
import { expirationOptions } from './values.js';
import { withBulkWriter } from '../../bulk/bulk-writer.js';

// ignoreBOM keeps a leading U+FEFF in the text instead of eating it.
const lossyUtf8 = new TextDecoder('utf-8', { ignoreBOM: true });
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

const bulkBody = {
  bodyLimit: LIMITS.bulkMaxBodyBytes,
  onRequest: contentLengthLimit(
    LIMITS.bulkMaxBodyBytes,
    (bytes) =>
      new WireError(
        413,
        WIRE_CODES.bodyTooLarge,
        `Request body of ${bytes} bytes exceeds the bulk limit of ${LIMITS.bulkMaxBodyBytes} bytes.`,
      ),
  ),
};

interface BulkItem {
  key?: unknown;
  value?: unknown;
  base64?: unknown;
  expiration?: unknown;
  expiration_ttl?: unknown;
  metadata?: unknown;
}

/** The JSON array of a bulk request, at most `max` items. */
function bulkArray(request: FastifyRequest, shape: string, max: number): unknown[] {
  const body = jsonBody(request);
  if (!Array.isArray(body)) throw badRequest(`the body must be a JSON array of ${shape}`);
  if (body.length > max) {
    throw new WireError(400, WIRE_CODES.bulkTooManyItems, `A bulk request takes at most ${max} items; this one has ${body.length}.`);
  }
  return body;
}

/** A validation failure of one item, named by its index and key. */
function itemError(index: number, key: unknown, error: unknown): WireError {
  const wire = toWire(error);
  const name = typeof key === 'string' ? ` (key ${displayKey(key)})` : '';
  return new WireError(wire.status, wire.code, `item ${index}${name}: ${wire.message}`, wire.headers);
}

function prepareItem(kv: KV, raw: unknown, index: number, nowMs: number): StoredEntry {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw itemError(
      index,
      undefined,
      badRequest('each item must be an object {key, value, expiration?, expiration_ttl?, metadata?, base64?}'),
    );
  }
  const item = raw as BulkItem;
  try {
    if (typeof item.key !== 'string') throw badRequest('"key" must be a string');
    if (typeof item.value !== 'string') throw badRequest('"value" must be a string (binary values as base64 with "base64": true)');
    let value: string | Buffer = item.value;
    if (item.base64 === true) {
      if (!BASE64.test(item.value)) throw badRequest('"value" is not valid base64');
      value = Buffer.from(item.value, 'base64');
    } else if (item.base64 !== undefined && item.base64 !== false) {
      throw badRequest('"base64" must be true or false');
    }
    const options = expirationOptions(item.expiration, item.expiration_ttl);
    if (item.metadata !== undefined) options.metadata = item.metadata;
    return kv.prepareEntrySync(item.key, value, options, nowMs);
  } catch (error) {
    throw itemError(index, item.key, error);
  }
}

/** `?session=ID&seq=N` of a bulk write or delete in a bulk session; null without `session`. */
function sessionOf(request: FastifyRequest): { id: string; seq: number } | null {
  const query = request.query as Record<string, unknown>;
  if (query.session === undefined) return null;
  const seq = queryInt(query, 'seq', 0, Number.MAX_SAFE_INTEGER);
  if (seq === undefined) throw badRequest('a request in a bulk session needs seq=N: 0, 1, 2, … in the order the requests were made');
  return { id: String(query.session), seq };
}

function keyList(request: FastifyRequest): string[] {
  const keys = bulkArray(request, 'key names', LIMITS.bulkMaxItems);
  keys.forEach((key, index) => {
    if (typeof key !== 'string') throw itemError(index, undefined, badRequest('each item must be a key name (a string)'));
  });
  return keys as string[];
}

export function registerBulkRoutes(app: FastifyInstance, ctx: ServerContext, sessions: BulkSessions | null): void {
  const { backend, locks, limiter } = ctx;

  /** Write `entries` through `writer` (per-key limit first, as `writer` names it); what the bulk route answers. */
  const applyBulk = async (kv: KV, entries: StoredEntry[], writer: BulkWriter, sessionId?: string): Promise<BulkResult> => {
    let accepted = entries;
    const unsuccessful: string[] = [];
    if (limiter) {
      // A key written less than a second ago is refused (the client resends it); a key
      // repeated inside one request (or one session) is one write.
      const decided = new Map<string, boolean>();
      accepted = entries.filter((entry) => {
        let ok = decided.get(entry.key);
        if (ok === undefined) {
          ok = limiter.tryWrite(kv.name, entry.key, sessionId) === 0;
          decided.set(entry.key, ok);
          if (!ok) unsuccessful.push(entry.key);
        }
        return ok;
      });
    }
    await writer.write(accepted);
    return { successful_key_count: accepted.length, unsuccessful_keys: unsuccessful };
  };

  app.put(`${API_PREFIX}/:ns/bulk`, bulkBody, async (request) => {
    const kv = kvOf(ctx, namespaceParam(request));
    // Validate every item before writing any: a request is written whole or refused. One
    // clock reading for the request, and no promise per item (this loop is the server's hot path).
    const prepare = (): StoredEntry[] => {
      const items = bulkArray(request, '{key, value, ...} objects', LIMITS.bulkMaxItems);
      const nowMs = ctx.clock();
      const entries: StoredEntry[] = new Array(items.length);
      for (let i = 0; i < items.length; i++) entries[i] = prepareItem(kv, items[i], i, nowMs);
      return entries;
    };
    const session = sessionOf(request);
    if (sessions && session) {
      const applied = await sessions.write(kv.name, session.id, session.seq, prepare, (entries, writer) =>
        applyBulk(kv, entries, writer, session.id),
      );
      return success(applied);
    }
    const entries = prepare();
    return locks.run([kv.name], async () =>
      success(await withBulkWriter(backend.bulkWriter(kv.name), (writer) => applyBulk(kv, entries, writer))),
    );
  });

  if (sessions) registerSessionRoutes(app, sessions);

  const bulkDelete = async (request: FastifyRequest) => {
    const kv = kvOf(ctx, namespaceParam(request));
    const session = sessionOf(request);
    if (sessions && session) {
      const applied = await sessions.write(
        kv.name,
        session.id,
        session.seq,
        () => keyList(request),
        async (keys, writer) => {
          if (!writer.remove) throw new WireError(501, WIRE_CODES.unsupported, 'this store cannot delete keys in a bulk session');
          return { successful_key_count: await writer.remove(keys), unsuccessful_keys: [] };
        },
      );
      return success(applied);
    }
    const keys = keyList(request);
    // kvadm counts the keys that existed (what `kv delete` reports); unsuccessful_keys stays empty.
    const deleted = await locks.run([kv.name], () => kv.deleteMany(keys));
    return success({ successful_key_count: deleted, unsuccessful_keys: [] as string[] });
  };
  app.post(`${API_PREFIX}/:ns/bulk/delete`, bulkBody, bulkDelete);
  // The older form, still sent by wrangler.
  app.delete(`${API_PREFIX}/:ns/bulk`, bulkBody, bulkDelete);

  app.post(`${API_PREFIX}/:ns/bulk/get`, async (request) => {
    const kv = kvOf(ctx, namespaceParam(request));
    const body = jsonBody(request) as { keys?: unknown; type?: unknown; withMetadata?: unknown } | null;
    if (typeof body !== 'object' || body === null || !Array.isArray(body.keys) || body.keys.some((k) => typeof k !== 'string')) {
      throw badRequest('the body must be {"keys": [names...], "type"?: "text" | "json", "withMetadata"?: boolean}');
    }
    const keys = body.keys as string[];
    if (keys.length > LIMITS.bulkGetMaxKeys) {
      throw new WireError(
        400,
        WIRE_CODES.bulkTooManyItems,
        `A bulk get takes at most ${LIMITS.bulkGetMaxKeys} keys; this one has ${keys.length}.`,
      );
    }
    const type = body.type ?? 'text';
    if (type !== 'text' && type !== 'json') throw badRequest(`invalid type ${JSON.stringify(type)}: use "text" or "json"`);
    const withMetadata = body.withMetadata === true;
    const entries = await kv.getEntries(keys);
    // A null-prototype object: a key named "__proto__" is just a key.
    const values: Record<string, unknown> = Object.create(null);
    entries.forEach((entry, i) => {
      const key = keys[i] as string;
      values[key] = entry === null ? null : bulkGetValue(entry, type, withMetadata);
    });
    return success({ values });
  });
}

/**
 * One value of a bulk get. Text is decoded as UTF-8 with invalid bytes replaced by
 * U+FFFD (as Cloudflare does): bytes that are not UTF-8 cannot travel as JSON text, and
 * kvadm's client fetches values containing U+FFFD again from the raw value route.
 */
function bulkGetValue(entry: KVEntry, type: 'text' | 'json', withMetadata: boolean): unknown {
  const text = lossyUtf8.decode(entry.value);
  let value: unknown = text;
  if (type === 'json') {
    try {
      value = JSON.parse(text);
    } catch (error) {
      throw new ValidationError(
        'VALUE_INVALID',
        `the value of key ${displayKey(entry.key)} is not valid JSON: ${(error as Error).message}`,
      );
    }
  }
  if (!withMetadata) return value;
  return { value, metadata: entry.metadata, ...(entry.expiration === null ? {} : { expiration: entry.expiration }) };
}

/** Open, commit and abort of staged bulk writes (bulk-sessions.ts); the writes themselves are `PUT /bulk?session=&seq=`. */
function registerSessionRoutes(app: FastifyInstance, sessions: BulkSessions): void {
  const sessionPath = `${API_PREFIX}/:ns/bulk/sessions/:session`;
  const sessionParam = (request: FastifyRequest): string => (request.params as { session: string }).session;
  app.put(sessionPath, async (request) => {
    await sessions.start(namespaceParam(request), sessionParam(request));
    // idle_ms: a client must not let a session go longer without a request (it is aborted then).
    return success({ id: sessionParam(request), idle_ms: sessions.idleMs });
  });
  app.post(`${sessionPath}/commit`, async (request) => success(await sessions.commit(namespaceParam(request), sessionParam(request))));
  app.delete(sessionPath, async (request) => {
    await sessions.abort(namespaceParam(request), sessionParam(request));
    return success({});
  });
}
