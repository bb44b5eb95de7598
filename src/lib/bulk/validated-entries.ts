/**
 * The entries a validate-first import checked in its first pass, kept in memory up to a
 * fixed budget so the write pass need not read, parse and check the input a second time
 * (half the client's work in a remote import of small entries). An input larger than
 * the budget is let go at once and read again instead: memory stays bounded whatever
 * the input's size.
 */
import type { StoredEntry } from '../backends/backend.js';
import { ValidationError } from '../errors.js';
import { resolveExpiration } from '../validation.js';

/** Default budget: about 150,000 small entries. */
const DEFAULT_BUDGET_BYTES = 48 * 1024 * 1024;
/** What one kept entry costs besides its key, value and metadata (objects, Buffer headers), measured roughly. */
const ENTRY_OVERHEAD_BYTES = 200;

export class ValidatedEntries {
  private batches: StoredEntry[][] | null = [];
  private bytes = 0;

  constructor(private readonly budgetBytes: number = DEFAULT_BUDGET_BYTES) {}

  /** Keep a batch of valid entries, or give up keeping (for good) once over the budget. */
  add(entries: StoredEntry[]): void {
    if (this.batches === null || entries.length === 0) return;
    for (const entry of entries) {
      // Strings count twice: V8 may hold them as two-byte text.
      this.bytes += ENTRY_OVERHEAD_BYTES + 2 * entry.key.length + entry.value.byteLength + 2 * (entry.metadata?.length ?? 0);
    }
    if (this.bytes > this.budgetBytes) this.batches = null;
    else this.batches.push(entries);
  }

  /** Every entry of the pass, in order, when all of it fit; null otherwise. The entries are handed over (released here). */
  take(): StoredEntry[][] | null {
    const batches = this.batches;
    this.batches = null;
    return batches;
  }
}

/**
 * An entry checked a while ago, as it would be checked now: a TTL counts from now, and
 * an absolute expiration that has come too close is refused as the first pass would
 * refuse it today. Returns false for such an entry (it is not written).
 */
export function refreshExpiration(entry: StoredEntry, nowMs: number): boolean {
  if (entry.expiration === null) return true;
  try {
    entry.expiration = resolveExpiration(
      entry.expirationTtl === undefined ? { expiration: entry.expiration } : { expirationTtl: entry.expirationTtl },
      nowMs,
      entry.key,
    );
    return true;
  } catch (error) {
    if (error instanceof ValidationError) return false;
    throw error;
  }
}
