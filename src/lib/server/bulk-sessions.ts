/**
 * Staged bulk writes, kvadm serve's extension of the bulk route (docs/PROTOCOL.md, "Bulk
 * sessions"): a client opens a session on a namespace, sends its `PUT /bulk` requests with the
 * session's id and a sequence number, and commits or aborts. Every write of a session lands in
 * one transaction of the store, on a connection of its own (other requests keep reading what
 * was committed), so the session is all or nothing: what makes a remote import atomic.
 *
 * - A session holds its namespace's write lock from open to end: other writes to that
 *   namespace wait, reads do not.
 * - Requests are applied in the order of their sequence numbers, whatever order they arrive
 *   in (a client keeps several in flight), so the last write of a repeated key wins.
 * - Every step can be repeated safely, so clients may retry them: opening an open session
 *   answers as the first open did (and counts as a request: kvadm's client repeats it to keep
 *   a session alive), a request applied or waiting for its turn answers with the first one's
 *   result, and committing a committed session reports that commit again.
 * - A session with no request for `idleMs` is aborted (the client went away), even while
 *   requests wait for a predecessor that never came; so is every session when the server
 *   closes. An open that waits `openWaitMs` for a namespace another session holds is answered
 *   "busy", and that session never takes the namespace.
 */
import type { BulkWriter } from '../backends/backend.js';
import { WIRE_CODES } from '../wire-codes.js';
import type { ServerContext } from './context.js';
import { WireError, badRequest, toWire } from './envelope.js';

/** What a bulk write answers (docs/PROTOCOL.md). */
export interface BulkResult {
  successful_key_count: number;
  unsuccessful_keys: string[];
}

/** Session ids are the client's: long enough to be unguessable, short enough for a URL. */
const SESSION_ID = /^[A-Za-z0-9_-]{16,64}$/;
/**
 * How long an open waits for a namespace another session holds before it is answered "busy":
 * well inside a client's 60 s wait for an answer, about what the local store waits for a lock.
 */
const DEFAULT_OPEN_WAIT_MS = 30_000;
/** A session with no request for this long is aborted: its client has gone (ms; `kvadm serve --bulk-session-timeout`). */
export const DEFAULT_SESSION_IDLE_MS = 60_000;

export interface BulkSessionsOptions {
  /** How long a session may go without a request (default 60 s). */
  idleMs?: number;
  /** How long an open waits for a namespace another session holds (default 30 s). */
  openWaitMs?: number;
}
/** How long an ended session's outcome is remembered, so a retried commit or abort still gets its answer. */
const ENDED_MEMORY_MS = 10 * 60_000;

type Outcome = 'committed' | 'aborted' | 'expired' | 'failed' | 'closed';

interface Ended {
  namespace: string;
  outcome: Outcome;
  /** Why it ended, for requests that arrive after: the failure's own status and code when it failed. */
  failure: WireError | null;
  written: number;
  at: number;
}

/** A session from its first open request on: it may still be waiting for its namespace. */
interface Opening {
  namespace: string;
  session: Promise<Session>;
  /** Set when it is given up on (its open waited too long, or it was aborted) before it held its namespace. */
  cancelled: { value: boolean };
}

class Session {
  /** The sequence number of the next request to apply. */
  nextSeq = 0;
  /** Each applied request's result, by sequence number: the answer to a retry. */
  readonly results = new Map<number, BulkResult>();
  /** Requests received and not yet applied, by sequence number: a retry of one waits for it. */
  readonly pending = new Map<number, Promise<BulkResult>>();
  /** Keys the store took so far. */
  written = 0;
  /**
   * Requests of this session being checked or applied. One waiting for its turn does not count:
   * its predecessor may never come (the client went away), and the idle time must still end it.
   */
  busy = 0;
  lastActive = performance.now();
  ended: Ended | null = null;
  private waiting: Array<() => void> = [];

  constructor(
    readonly id: string,
    readonly namespace: string,
    readonly writer: BulkWriter,
    readonly release: () => void,
  ) {}

  /** Resolves when request `seq` may be applied; throws once the session has ended instead. */
  async turn(seq: number): Promise<void> {
    while (this.nextSeq !== seq && this.ended === null) {
      await new Promise<void>((resolve) => this.waiting.push(resolve));
    }
    if (this.ended !== null) throw endedError(this.id, this.ended);
  }

  /** Request `seq` (the next one) is applied: the one after may go. */
  advance(seq: number, result: BulkResult): void {
    if (seq !== this.nextSeq) throw new Error(`bulk session ${this.id}: applied request ${seq} out of turn (next ${this.nextSeq})`);
    this.results.set(seq, result);
    this.nextSeq++;
    this.wake();
  }

  wake(): void {
    const waiting = this.waiting;
    this.waiting = [];
    for (const resolve of waiting) resolve();
  }
}

export class BulkSessions {
  /** Sessions by id from their first open request on, while they wait for their namespace too. */
  private readonly open = new Map<string, Opening>();
  /** The sessions that hold their namespace (opened and not ended). */
  private readonly holding = new Map<string, Session>();
  private readonly ended = new Map<string, Ended>();
  /** Set once the server is closing: no session opens any more. */
  private closing = false;
  readonly idleMs: number;
  private readonly openWaitMs: number;

  constructor(
    private readonly ctx: ServerContext,
    options: BulkSessionsOptions = {},
  ) {
    this.idleMs = options.idleMs ?? DEFAULT_SESSION_IDLE_MS;
    this.openWaitMs = options.openWaitMs ?? DEFAULT_OPEN_WAIT_MS;
  }

  /**
   * Open session `id` on `namespace` once every earlier write to it has finished; repeating an
   * open is harmless (kvadm's client repeats it to keep a session alive). A namespace another
   * session holds for longer than `openWaitMs` is answered 409 (busy), not waited on further.
   */
  async start(namespace: string, id: string): Promise<void> {
    if (!SESSION_ID.test(id)) {
      throw badRequest(`invalid bulk session id ${JSON.stringify(id)}: use 16 to 64 characters of A-Z a-z 0-9 _ -`);
    }
    const ended = this.ended.get(id);
    if (ended) throw endedError(id, ended);
    let opening = this.open.get(id);
    if (!opening) {
      const cancelled = { value: false };
      const created: Opening = { namespace, cancelled, session: this.create(namespace, id, cancelled) };
      created.session.catch(() => {
        if (this.open.get(id) === created) this.open.delete(id);
      });
      this.open.set(id, created);
      opening = created;
    }
    if (opening.namespace !== namespace) throw otherNamespace(id, opening.namespace);
    let timer: NodeJS.Timeout | undefined;
    const busy = new Promise<never>((_resolve, reject) => {
      timer = setTimeout(() => reject(busyError(namespace)), this.openWaitMs);
    });
    try {
      const session = await Promise.race([opening.session, busy]);
      session.lastActive = performance.now();
    } catch (error) {
      // Given up on: the lock, when it comes, is handed straight back.
      if (error instanceof WireError && error.code === WIRE_CODES.bulkSessionBusy) this.cancel(id, opening);
      throw error;
    } finally {
      clearTimeout(timer);
    }
  }

  /**
   * Apply request `seq` of session `id`: `prepare` checks its items (a failure ends the session:
   * its later requests could not be applied in order), then `apply` writes them in turn. A
   * request received again (a client's retry) is answered as the first one, never applied twice.
   */
  async write<T>(
    namespace: string,
    id: string,
    seq: number,
    prepare: () => T,
    apply: (items: T, writer: BulkWriter) => Promise<BulkResult>,
  ): Promise<BulkResult> {
    const session = await this.session(namespace, id);
    const earlier = session.results.get(seq) ?? session.pending.get(seq);
    if (earlier) return earlier;
    if (seq < session.nextSeq) throw badRequest(`request ${seq} of bulk session ${id} was applied already`);
    const applying = this.applyInTurn(session, seq, prepare, apply);
    session.pending.set(seq, applying);
    try {
      return await applying;
    } finally {
      session.pending.delete(seq);
      session.lastActive = performance.now();
    }
  }

  private async applyInTurn<T>(
    session: Session,
    seq: number,
    prepare: () => T,
    apply: (items: T, writer: BulkWriter) => Promise<BulkResult>,
  ): Promise<BulkResult> {
    let items: T;
    session.busy++;
    try {
      items = prepare();
    } catch (error) {
      await this.finish(session, 'failed', toWire(error));
      throw error;
    } finally {
      session.busy--;
    }
    await session.turn(seq);
    session.busy++;
    try {
      const result = await apply(items, session.writer);
      session.written += result.successful_key_count;
      session.advance(seq, result);
      return result;
    } catch (error) {
      await this.finish(session, 'failed', toWire(error));
      throw error;
    } finally {
      session.busy--;
    }
  }

  /** Commit session `id`: every write it holds becomes visible at once. Repeating a commit reports it again. */
  async commit(namespace: string, id: string): Promise<{ successful_key_count: number }> {
    const ended = this.ended.get(id);
    if (ended?.outcome === 'committed' && ended.namespace === namespace) return { successful_key_count: ended.written };
    const session = await this.session(namespace, id);
    await session.writer.commit().catch(async (error: unknown) => {
      await this.finish(session, 'failed', toWire(error));
      throw error;
    });
    await this.finish(session, 'committed', null);
    return { successful_key_count: session.written };
  }

  /**
   * Abort session `id`: none of its writes is kept. Aborting a session that is gone is harmless;
   * one still waiting for its namespace never takes it.
   */
  async abort(namespace: string, id: string): Promise<void> {
    const opening = this.open.get(id);
    if (!opening) {
      const ended = this.ended.get(id);
      if (ended?.outcome === 'committed') throw new WireError(409, WIRE_CODES.bulkSessionEnded, `bulk session ${id} was committed already`);
      return;
    }
    if (opening.namespace !== namespace) throw otherNamespace(id, opening.namespace);
    const session = this.holding.get(id);
    if (session) await this.finish(session, 'aborted', null);
    else this.cancel(id, opening);
  }

  /** A session still waiting for its namespace: forgotten now, and its lock handed back when it comes. */
  private cancel(id: string, opening: Opening): void {
    opening.cancelled.value = true;
    if (this.open.get(id) === opening) this.open.delete(id);
    this.ended.set(id, { namespace: opening.namespace, outcome: 'aborted', failure: null, written: 0, at: performance.now() });
  }

  /** Abort sessions that have had no request for the idle time; forget old outcomes. Called by a timer. */
  async expireIdle(): Promise<void> {
    const now = performance.now();
    // Only sessions that hold their namespace: one still waiting for it is not idle, and waiting
    // here for it to open would wait for the very sessions this is to expire.
    for (const session of [...this.holding.values()]) {
      if (session.busy === 0 && now - session.lastActive >= this.idleMs) await this.finish(session, 'expired', null);
    }
    for (const [id, ended] of this.ended) if (now - ended.at >= ENDED_MEMORY_MS) this.ended.delete(id);
  }

  /** Abort every open session (the server is closing). */
  async abortAll(): Promise<void> {
    this.closing = true;
    for (const session of [...this.holding.values()]) await this.finish(session, 'closed', null);
  }

  private async create(namespace: string, id: string, cancelled: { value: boolean }): Promise<Session> {
    const release = await this.ctx.locks.hold([namespace]);
    if (cancelled.value) {
      release();
      throw busyError(namespace);
    }
    if (this.closing) {
      release();
      throw new WireError(503, WIRE_CODES.bulkSessionNotFound, 'the server is shutting down: no bulk session opens now', {
        connection: 'close',
      });
    }
    let writer: BulkWriter;
    try {
      writer = await this.ctx.backend.bulkWriter(namespace, { isolated: true });
    } catch (error) {
      release();
      throw error;
    }
    if (!writer.atomic) {
      await writer.abort();
      release();
      throw new WireError(501, WIRE_CODES.unsupported, 'this store cannot stage bulk writes: send them without a session');
    }
    const session = new Session(id, namespace, writer, release);
    this.holding.set(id, session);
    return session;
  }

  private async session(namespace: string, id: string): Promise<Session> {
    const opening = this.open.get(id);
    if (!opening) {
      const ended = this.ended.get(id);
      if (ended) throw endedError(id, ended);
      throw new WireError(404, WIRE_CODES.bulkSessionNotFound, `no bulk session ${id} is open on this server`);
    }
    if (opening.namespace !== namespace) throw otherNamespace(id, opening.namespace);
    const session = await opening.session;
    session.lastActive = performance.now();
    return session;
  }

  private async finish(session: Session, outcome: Outcome, failure: WireError | null): Promise<void> {
    if (session.ended) return;
    session.ended = { namespace: session.namespace, outcome, failure, written: session.written, at: performance.now() };
    this.open.delete(session.id);
    this.holding.delete(session.id);
    this.ended.set(session.id, session.ended);
    try {
      // A committed writer is done; any other end rolls every write of the session back.
      if (outcome !== 'committed') await session.writer.abort();
    } finally {
      session.release();
      session.wake();
    }
  }
}

function busyError(namespace: string): WireError {
  return new WireError(
    409,
    WIRE_CODES.bulkSessionBusy,
    `namespace '${namespace}' is busy: another bulk session (an import, copy or sync) has held it for too long; try again when it is done`,
  );
}

function otherNamespace(id: string, namespace: string): WireError {
  return badRequest(`bulk session ${id} belongs to namespace '${namespace}'`);
}

/** The answer to a request on a session that has ended: a failure's own status and code, else 404/409. */
function endedError(id: string, ended: Ended): WireError {
  switch (ended.outcome) {
    case 'failed': {
      // A refused item keeps its status and code (the client names the rule); a server failure
      // becomes 409, which no client retries: the session will not come back.
      const cause = ended.failure as WireError;
      const message = `bulk session ${id} ended, nothing of it was written: ${cause.message}`;
      if (cause.status >= 500) return new WireError(409, WIRE_CODES.bulkSessionEnded, message);
      return new WireError(cause.status, cause.code, message, cause.headers);
    }
    case 'committed':
      return new WireError(409, WIRE_CODES.bulkSessionEnded, `bulk session ${id} was committed already`);
    case 'aborted':
      return new WireError(404, WIRE_CODES.bulkSessionNotFound, `bulk session ${id} was aborted; nothing of it was written`);
    case 'closed':
      // The connection closes after this answer, so that the server's close need not wait for the client to drop it.
      return new WireError(
        503,
        WIRE_CODES.bulkSessionNotFound,
        `bulk session ${id} was aborted: the server is shutting down; nothing of it was written`,
        { connection: 'close' },
      );
    case 'expired':
      return new WireError(
        404,
        WIRE_CODES.bulkSessionNotFound,
        `bulk session ${id} was aborted after a time without requests; nothing of it was written`,
      );
  }
}
