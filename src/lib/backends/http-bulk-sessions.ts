/**
 * kvadm serve's staged bulk writes from the client's side (docs/PROTOCOL.md, "Bulk sessions"):
 * open a session with an id of our own, send each bulk write with that id and the next
 * sequence number, then commit (every write lands at once) or abort (none does). Every step
 * may be retried: the server answers a repeated step as it answered the first.
 *
 * A service without sessions (Cloudflare, the Azion bridge, a kvadm serve that leaves them
 * out) answers the open as a route it does not have: the caller then writes without one.
 */
import type { BulkWriteResult, BulkWriter, StoredEntry } from './backend.js';
import type { HttpClient, WireResponse } from './http-client.js';
import type { Namespaces } from './http-namespaces.js';
import { WIRE_CODES } from '../wire-codes.js';

/** The session a bulk write belongs to; `nextSeq` is taken by each request as it is sent. */
export interface WireSession {
  readonly id: string;
  nextSeq: number;
}

/**
 * The query that puts a request in `session` (none without one). The sequence number is taken
 * as the request leaves: the server applies a session's requests in this order (a retry of the
 * request keeps its number, a resend of refused keys takes the next).
 */
export function sessionQuery(session: WireSession | undefined): { query?: { session: string; seq: number } } {
  return session ? { query: { session: session.id, seq: session.nextSeq++ } } : {};
}

/** How a session's writes and deletes are sent: KeyRoutes.writeBulk and deleteMany with the session. */
export interface SessionRoutes {
  write(entries: StoredEntry[], session: WireSession): Promise<BulkWriteResult>;
  remove(keys: string[], session: WireSession): Promise<number>;
}

/** Route-level answers that mean "no such thing here", as services without sessions give them. */
const NO_ROUTE_CODES = new Set<number>([WIRE_CODES.noRoute, 7003, WIRE_CODES.unsupported]);

/**
 * A staged writer on namespace `id`, or null when the service has no bulk sessions. While it is
 * open it touches the session (a repeated open) a few times per idle period, so a session is not
 * aborted while its client waits on something else: a slow input, a confirmation prompt.
 */
export async function openStagedWriter(
  client: HttpClient,
  namespaces: Namespaces,
  namespace: string,
  id: string,
  routes: SessionRoutes,
): Promise<BulkWriter | null> {
  const session: WireSession = { id: globalThis.crypto.randomUUID(), nextSeq: 0 };
  const path = `${namespaces.path(id)}/bulk/sessions/${session.id}`;
  const opened = await client.request('PUT', path);
  if (lacksSessions(client, opened)) return null;
  const result = namespaces.result<{ idle_ms?: unknown }>(opened, namespace);
  const idleMs = typeof result?.idle_ms === 'number' && result.idle_ms > 0 ? result.idle_ms : DEFAULT_IDLE_MS;
  const keepAlive = setInterval(
    () => void client.request('PUT', path, { retries: 0 }).catch(() => undefined),
    Math.max(MIN_TOUCH_MS, idleMs / 3),
  ).unref();
  let open = true;
  const end = (): void => {
    open = false;
    clearInterval(keepAlive);
  };
  return {
    atomic: true,
    session: true,
    write: (entries) => routes.write(entries, session),
    remove: (keys) => routes.remove(keys, session),
    async commit() {
      if (!open) return;
      end();
      namespaces.result(await client.request('POST', `${path}/commit`), namespace);
    },
    async abort() {
      if (!open) return;
      end();
      // Nothing is lost when this fails too (the server went away, most likely): the server
      // aborts a session that hears nothing for a while. So one attempt, and no error that
      // would hide the one the caller is ending on.
      await client.request('DELETE', path, { retries: 0 }).catch(() => undefined);
    },
  };
}

/** A server that does not say how long it waits (kvadm serve does: `idle_ms`): its default. */
const DEFAULT_IDLE_MS = 60_000;
/** Touches no more often than this, however short the server's idle time. */
const MIN_TOUCH_MS = 100;

function lacksSessions(client: HttpClient, response: WireResponse): boolean {
  if (response.status === 405 || response.status === 501) return true;
  if (response.status !== 404 && response.status !== 400) return false;
  const { code } = client.failure(response);
  if (response.status === 404) return code !== WIRE_CODES.namespaceNotFound;
  return code !== undefined && NO_ROUTE_CODES.has(code);
}
