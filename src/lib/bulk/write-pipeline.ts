/**
 * Bulk writes to a remote store, gathered into requests of a useful size with a few in
 * flight, so that reading and checking the input overlaps the server's work instead of
 * waiting for each request in turn (with client and server on one small machine, that
 * wait was most of an import's time).
 *
 * Every write()'s result is counted as it arrives: when the remote fails part-way, the
 * entries the server acknowledged are known exactly (docs/PROTOCOL.md's bulk write is whole
 * per request: a request is written or refused as one).
 */
import type { BulkWriteResult, BulkWriter, StoredEntry } from '../backends/backend.js';
import { LIMITS } from '../limits.js';

export interface WritePipelineOptions {
  /** Entries per write() (default 5,000; at most the protocol's 10,000). */
  batchEntries?: number;
  /** Approximate payload bytes per write() (default 8 MiB): large values make fewer entries a request. */
  batchBytes?: number;
  /** write() calls in flight at once (default 3). */
  inFlight?: number;
  /** Each write()'s result as it arrives. */
  onResult: (result: BulkWriteResult) => void;
}

/**
 * Why these sizes (measured, 100,000 small entries, client and `kvadm serve` on 2 cores):
 * one request per 64 KiB read chunk, awaited in turn, ran at about 60,000 keys/s; a few
 * thousand entries a request with two or three outstanding keeps both processes busy.
 * Much larger requests delay the first response and leave the server idle at the start.
 */
const DEFAULT_BATCH_ENTRIES = 5000;
const DEFAULT_BATCH_BYTES = 8 * 1024 * 1024;
const DEFAULT_IN_FLIGHT = 3;
/** What an entry costs in a request besides its key, value and metadata (field names, quotes). */
const ENTRY_OVERHEAD_BYTES = 48;

export class WritePipeline {
  private readonly batchEntries: number;
  private readonly batchBytes: number;
  private readonly maxInFlight: number;
  private queued: StoredEntry[] = [];
  private queuedBytes = 0;
  private readonly inFlight = new Set<Promise<void>>();
  /** The first failure; later writes are not started once it is set. */
  private failure: { error: unknown } | null = null;

  constructor(
    private readonly writer: BulkWriter,
    private readonly options: WritePipelineOptions,
  ) {
    this.batchEntries = Math.min(Math.max(1, options.batchEntries ?? DEFAULT_BATCH_ENTRIES), LIMITS.bulkMaxItems);
    this.batchBytes = options.batchBytes ?? DEFAULT_BATCH_BYTES;
    this.maxInFlight = Math.max(1, options.inFlight ?? DEFAULT_IN_FLIGHT);
  }

  /** Queue entries; resolves once the queue is below a request or a slot is free. Throws the first failure. */
  async add(entries: StoredEntry[]): Promise<void> {
    for (const entry of entries) {
      this.queued.push(entry);
      this.queuedBytes += entry.key.length + entry.value.byteLength + (entry.metadata?.length ?? 0) + ENTRY_OVERHEAD_BYTES;
      if (this.queued.length >= this.batchEntries || this.queuedBytes >= this.batchBytes) await this.send();
    }
  }

  /** Send what is queued and wait for every write; throws the first failure. */
  async flush(): Promise<void> {
    if (this.queued.length > 0) await this.send();
    await this.settle();
    this.throwIfFailed();
  }

  /** Wait for the writes in flight to finish, without throwing: their results still count. */
  async settle(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.race(this.inFlight);
  }

  private async send(): Promise<void> {
    this.throwIfFailed();
    const batch = this.queued;
    this.queued = [];
    this.queuedBytes = 0;
    const request: Promise<void> = this.writer.write(batch).then(
      (result) => this.options.onResult(result),
      (error: unknown) => {
        this.failure ??= { error };
      },
    );
    const tracked = request.finally(() => this.inFlight.delete(tracked));
    this.inFlight.add(tracked);
    while (this.inFlight.size >= this.maxInFlight) await Promise.race(this.inFlight);
    this.throwIfFailed();
  }

  private throwIfFailed(): void {
    if (this.failure) throw this.failure.error;
  }
}
