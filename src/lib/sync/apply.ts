/**
 * Writing a plan into the destination: entries checked as the destination would check
 * them, writes in key order through the backend's bulk writer, and — on a remote store
 * without bulk sessions, where a failed run cannot be rolled back — an exact account of
 * what went in.
 */
import { LIMITS } from '../limits.js';
import type { BulkWriter, StoredEntry } from '../backends/backend.js';
import { WritePipeline } from '../bulk/write-pipeline.js';
import { ExitCode, KvadmError, UnreachableError, ValidationError, displayKey } from '../errors.js';
import { parseMetadataText, validateExpiration, validateKey, validateValueSize } from '../validation.js';
import { count } from '../words.js';

/** An SRC entry the destination would refuse. */
export interface RefusedEntry {
  key: string;
  /** The rule broken (KEY_TOO_LONG, EXPIRATION_INVALID, …). */
  code: string;
  message: string;
}

/** Entries per bulk write call: large enough to fill a remote writer's parallel requests. */
export const WRITE_CHUNK = 10_000;

/**
 * The error a write would meet, checked as import checks: the same validators as every
 * write path. An SRC entry may break a rule when its expiration is now under 60 s away,
 * or when the SRC store allows what DST does not.
 */
export function refusalOf(entry: StoredEntry, nowMs: number): ValidationError | null {
  try {
    validateKey(entry.key);
    validateValueSize(entry.value.byteLength, entry.key);
    // Stored metadata is JSON already; only its size can be wrong.
    if (entry.metadata !== null && Buffer.byteLength(entry.metadata) > LIMITS.metadataMaxBytes)
      parseMetadataText(entry.metadata, entry.key);
    if (entry.expiration !== null) validateExpiration(entry.expiration, nowMs, entry.key);
    return null;
  } catch (error) {
    if (error instanceof ValidationError) return error;
    throw error;
  }
}

/** Invalid entries: all counted, the first `limit` kept for the report. */
export class RefusalReport {
  count = 0;
  readonly entries: RefusedEntry[] = [];
  constructor(private readonly limit: number) {}

  add(key: string, error: ValidationError): void {
    this.count++;
    if (this.entries.length < this.limit) {
      // The report shows the key beside the message: the reason alone, without the key again.
      this.entries.push({ key, code: error.code, message: error.reason });
    }
  }
}

/** What a run applied so far; on a failure, the account of which keys went in. */
export class Applier {
  written = 0;
  deleted = 0;
  /** Keys the destination refused after retries (a remote's unsuccessful_keys). */
  failed = 0;
  readonly failedKeys: string[] = [];
  /** The last key of the last write that completed: every planned key up to it is written. */
  private lastWrittenKey: string | null = null;

  /**
   * A remote session's writes, a few requests in flight: nothing of them counts until the
   * commit, so there is no order of acknowledgement to keep for a report.
   */
  private readonly pipeline: WritePipeline | null;

  constructor(
    private readonly writer: BulkWriter,
    private readonly reportLimit: number,
    private readonly deleteKeys: (keys: string[]) => Promise<number>,
  ) {
    this.pipeline = writer.session
      ? new WritePipeline(writer, {
          onResult: (result) => {
            this.written += result.written;
            for (const key of result.unsuccessfulKeys) this.refuse(key);
          },
        })
      : null;
  }

  async write(entries: StoredEntry[]): Promise<void> {
    if (entries.length === 0) return;
    if (this.pipeline) {
      try {
        await this.pipeline.add(entries);
      } catch (error) {
        throw this.failure(error, []);
      }
      return;
    }
    let result: Awaited<ReturnType<BulkWriter['write']>>;
    try {
      result = await this.writer.write(entries);
    } catch (error) {
      throw this.failure(
        error,
        entries.map((e) => e.key),
      );
    }
    this.written += result.written;
    for (const key of result.unsuccessfulKeys) this.refuse(key);
    this.lastWrittenKey = (entries[entries.length - 1] as StoredEntry).key;
  }

  /** A planned key that could not be written after all (its SRC entry turned invalid since it was compared). */
  refuse(key: string): void {
    this.failed++;
    if (this.failedKeys.length < this.reportLimit) this.failedKeys.push(key);
  }

  async remove(keys: string[]): Promise<void> {
    if (keys.length === 0) return;
    try {
      this.deleted += await this.deleteKeys(keys);
    } catch (error) {
      throw this.failure(error, keys, 'delete');
    }
  }

  /** Wait for every write sent (a remote session's pipeline); throws the first failure. */
  async flush(): Promise<void> {
    try {
      await this.pipeline?.flush();
    } catch (error) {
      throw this.failure(error, []);
    }
  }

  /** Commit the writer's session; a remote session whose commit went unanswered says that its outcome is unknown. */
  async commit(): Promise<void> {
    await this.flush();
    try {
      await this.writer.commit();
    } catch (error) {
      if (!this.writer.session || !(error instanceof KvadmError)) throw error;
      // Only a commit that got no answer may have been applied; any answer says it was not.
      if (!(error instanceof UnreachableError)) throw this.failure(error, [], 'commit');
      throw new KvadmError(
        'SYNC_INCOMPLETE',
        `stopped while the destination committed ${count(this.written + this.deleted)} changes, so whether they were made is not known: ${error.message}`,
        {
          exitCode: error.exitCode,
          hint: 'run the same command again: it is safe either way',
          details: { written: this.written },
          cause: error,
        },
      );
    }
  }

  /** A remote write failed: say exactly what is in, what may be, and that a re-run converges. */
  private failure(cause: unknown, inDoubt: string[], action: 'write' | 'delete' | 'commit' = 'write'): unknown {
    if (this.writer.session && cause instanceof KvadmError) {
      // A staged session (kvadm serve) that was not committed: nothing of this run is in.
      return new KvadmError(
        'SYNC_INCOMPLETE',
        `stopped by a failed ${action} (${cause.message}): nothing was written (the destination applies a staged write only when it is complete)`,
        { exitCode: cause.exitCode, hint: 'run the same command again when the destination is reachable', details: { written: 0 }, cause },
      );
    }
    if (this.writer.atomic) return cause;
    const reason = cause instanceof Error ? cause.message : String(cause);
    const first = inDoubt[0] as string;
    const last = inDoubt[inDoubt.length - 1] as string;
    const done =
      this.written === 0
        ? 'no key was written before it'
        : `${count(this.written)} keys were written before it (every planned key up to ${displayKey(this.lastWrittenKey as string)} in byte order)`;
    const doubt = `the ${count(inDoubt.length)} keys from ${displayKey(first)} to ${displayKey(last)} may or may not have been ${action === 'write' ? 'written' : 'deleted'}`;
    return new KvadmError('SYNC_INCOMPLETE', `stopped by a failed ${action} (${reason}): ${done}; ${doubt}; later keys were not touched`, {
      exitCode: cause instanceof KvadmError ? cause.exitCode : ExitCode.failure,
      hint: 'run the same command again when the destination is reachable: it writes only what is still missing',
      details: {
        written: this.written,
        deleted: this.deleted,
        lastWrittenKey: this.lastWrittenKey,
        inDoubt: { action, count: inDoubt.length, first, last },
      },
      cause,
    });
  }
}
