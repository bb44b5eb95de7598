/**
 * The production rule "at most one write per second to the same key". Remembers when
 * each key was last written; entries older than the window are pruned from the front
 * of the Map (insertion order is write order, because a rewrite re-inserts), so memory
 * holds only the last window's writes. A bulk session's writes are recorded as they are
 * applied, before its commit: if it is aborted instead, its keys still wait out their second
 * (the rule errs on the strict side rather than keep a second record per session).
 */
import type { Clock } from '../backends/backend.js';

export class WriteLimiter {
  private readonly lastWrite = new Map<string, number>();
  /** Who made a key's last write, for writes made by a bulk session (see tryWrite's `writer`). */
  private readonly writers = new Map<string, string>();

  constructor(
    private readonly clock: Clock,
    private readonly windowMs = 1000,
  ) {}

  /**
   * Record a write of `key` in `namespace` now, or refuse it: returns 0 when allowed,
   * otherwise the milliseconds until the key may be written again. `writer` names a bulk
   * session: its writes reach the store together at its commit, one write per key, so a key
   * it repeats is not refused because of its own earlier write.
   */
  tryWrite(namespace: string, key: string, writer?: string): number {
    const now = this.clock();
    const id = `${namespace}\u0000${key}`;
    const last = this.lastWrite.get(id);
    if (last !== undefined && now - last < this.windowMs && (writer === undefined || this.writers.get(id) !== writer)) {
      return this.windowMs - (now - last);
    }
    this.lastWrite.delete(id);
    this.lastWrite.set(id, now);
    if (writer !== undefined) this.writers.set(id, writer);
    else if (this.writers.size > 0) this.writers.delete(id);
    return 0;
  }

  /** Forget writes older than the window. */
  prune(): void {
    const now = this.clock();
    for (const [id, at] of this.lastWrite) {
      if (now - at < this.windowMs) break;
      this.lastWrite.delete(id);
      this.writers.delete(id);
    }
  }
}

/** Retry-After is whole seconds, at least 1. */
export function retryAfterSeconds(waitMs: number): number {
  return Math.max(1, Math.ceil(waitMs / 1000));
}
