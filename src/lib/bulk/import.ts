/**
 * The import engine (used by `kvadm import` and the interactive mode): reads a JSON,
 * JSON Lines or CSV stream, validates every entry through the KV client, and writes.
 * Its options and summary are in import-types.ts, the errors it ends with in
 * import-errors.ts, the --rejects file in import-rejects.ts; importing into a namespace
 * that may need creating is import-namespace.ts.
 *
 * Nothing is written unless every entry is valid (or `skipInvalid`), without reading
 * the input twice when the backend's bulk writer is atomic (the local store, or a remote's
 * staged bulk session: kvadm serve): entries stream into one transaction while they are
 * validated, and the transaction is rolled back if any is invalid. A non-atomic backend (a
 * remote without sessions) gets two passes instead:
 * validate everything (stdin is spooled to a temporary file meanwhile), then read it
 * again and write, a few requests in flight (see WritePipeline). Keeping the checked
 * entries in memory between the passes was measured slower for 100,000 small entries:
 * the garbage collector's work on them cost more than parsing the input again. Both
 * paths read records through one loop (entryBatches).
 *
 * Memory does not grow with the input, except for duplicate detection: 16 bytes per
 * distinct key (see KeyFingerprints).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { BulkWriteResult, BulkWriter, StoredEntry } from '../backends/backend.js';
import { InterruptedError, KvadmError, UnreachableError, ValidationError } from '../errors.js';
import type { KV } from '../kv.js';
import { LIMITS } from '../limits.js';
import { type RecordBatch, readRecords } from '../formats/index.js';
import type { ByteChunks, CsvColumns } from '../formats/types.js';
import { unknownColumns } from '../formats/csv.js';
import { LARGE_VALUE_CHARS, collectGarbage } from '../memory.js';
import { EntryBuilder } from './entries.js';
import { ImportIncompleteError, ImportStoppedError, InvalidEntriesError } from './import-errors.js';
import { RejectsFile } from './import-rejects.js';
import type { ImportOptions, ImportProgress, ImportSummary, InvalidEntry } from './import-types.js';
import { abortable, unlessAborted } from './interrupt.js';
import { type BulkSource, checkWritable, readChunks, sourceName, teeToFile } from './io.js';
import { KeyFingerprints } from './key-fingerprints.js';
import { WritePipeline } from './write-pipeline.js';

/** The entries built from a batch of records, and how many records of the input they stand for. */
interface EntryBatch {
  entries: StoredEntry[];
  records: number;
}

interface Tally {
  entries: number;
  written: number;
  invalid: number;
  duplicates: number;
  failed: number;
}

const DEFAULT_REPORT_LIMIT = 20;

function holdsLargeValue(entries: StoredEntry[]): boolean {
  for (const entry of entries) if (entry.value.byteLength >= LARGE_VALUE_CHARS) return true;
  return false;
}

export async function importEntries(kv: KV, source: BulkSource, options: ImportOptions): Promise<ImportSummary> {
  const started = performance.now();
  if (options.rejectsPath) checkWritable(options.rejectsPath, '--rejects');
  const run = new ImportRun(kv, source, options);
  let atomic = false;
  try {
    if (options.dryRun) {
      await run.pass(readChunks(source), 'validating', null);
    } else {
      const writer = options.validateFirst ? null : await kv.backend.bulkWriter(kv.name, { staged: true });
      if (writer?.atomic) {
        atomic = true;
        await run.singlePass(writer);
      } else {
        await writer?.abort();
        atomic = await run.twoPasses();
      }
    }
  } finally {
    run.closeRejects();
  }
  const summary = run.summary(atomic, (performance.now() - started) / 1000);
  if (summary.invalidCount > 0 && !options.skipInvalid) throw new InvalidEntriesError(summary);
  if (summary.failed > 0) throw new ImportIncompleteError(summary);
  return summary;
}

class ImportRun {
  readonly tally: Tally = { entries: 0, written: 0, invalid: 0, duplicates: 0, failed: 0 };
  private readonly invalid: InvalidEntry[] = [];
  private readonly failedKeys: string[] = [];
  private readonly builder: EntryBuilder;
  private readonly seen = new KeyFingerprints();
  private readonly reportLimit: number;
  private readonly name: string;
  private readonly rejects: RejectsFile | null;
  private csvColumns: CsvColumns | undefined;

  constructor(
    private readonly kv: KV,
    private readonly source: BulkSource,
    private readonly options: ImportOptions,
  ) {
    this.builder = new EntryBuilder(kv);
    this.reportLimit = options.reportLimit ?? DEFAULT_REPORT_LIMIT;
    this.name = sourceName(source);
    this.rejects =
      options.skipInvalid && options.rejectsPath ? new RejectsFile(options.rejectsPath, options.format, options.delimiter ?? ',') : null;
  }

  /**
   * Atomic: validate and write in one transaction (the local store's, or a remote session's);
   * roll back when anything is invalid. A remote session's writes are pipelined.
   */
  async singlePass(writer: BulkWriter): Promise<void> {
    const signal = this.options.signal;
    const pipeline = writer.session ? new WritePipeline(writer, { onResult: (result) => this.tallyResult(result) }) : null;
    const write = pipeline
      ? (entries: StoredEntry[]) => unlessAborted(pipeline.add(entries), signal)
      : (entries: StoredEntry[]) => this.write(writer, entries);
    try {
      await this.pass(readChunks(this.source), 'importing', write);
      if (pipeline) await unlessAborted(pipeline.flush(), signal);
    } catch (error) {
      await writer.abort();
      throw this.stopped(error, writer, false);
    }
    if (this.tally.invalid > 0 && !this.options.skipInvalid) await writer.abort();
    else await this.commit(writer);
  }

  /**
   * Validate everything (spooling a stream to a file), then read again and write. Resolves
   * to whether the writes were atomic (a remote session) or went in as they were sent.
   */
  async twoPasses(): Promise<boolean> {
    let input = this.source;
    let spool: string | null = null;
    try {
      let chunks = readChunks(this.source);
      if (this.source.kind === 'stream') {
        spool = path.join(fs.mkdtempSync(path.join(this.options.spoolDir ?? os.tmpdir(), 'kvadm-import-')), 'input');
        chunks = teeToFile(chunks, spool);
        input = { kind: 'file', path: spool };
      }
      await this.pass(chunks, 'validating', null);
      if (this.tally.invalid > 0 && !this.options.skipInvalid) return false;
      const writer = await this.kv.backend.bulkWriter(this.kv.name, { staged: true });
      try {
        await this.writePass(readChunks(input), writer);
      } catch (error) {
        await writer.abort();
        throw this.stopped(error, writer, false);
      }
      await this.commit(writer);
      return writer.atomic;
    } finally {
      if (spool) fs.rmSync(path.dirname(spool), { recursive: true, force: true });
    }
  }

  /**
   * What a failed write ends as. The user's Ctrl-C, a bug and the local store's errors as they
   * are; a remote's failure says what was written: nothing, for a session that was not
   * committed; unknown, when the commit itself failed; else what the server acknowledged.
   */
  private stopped(error: unknown, writer: BulkWriter, committing: boolean): unknown {
    const remote = !writer.atomic || writer.session === true;
    if (!(error instanceof KvadmError) || error instanceof InterruptedError || !remote) return error;
    const facts = { namespace: this.kv.name, entries: this.tally.entries };
    if (!writer.atomic) return new ImportStoppedError(error, { ...facts, acknowledged: this.tally.written });
    // Only a commit that got no answer may have been applied; any answer says it was not.
    const unknown = committing && error instanceof UnreachableError;
    return new ImportStoppedError(error, { ...facts, staged: unknown ? 'commit-unknown' : 'nothing-written' });
  }

  private async commit(writer: BulkWriter): Promise<void> {
    try {
      await writer.commit();
    } catch (error) {
      await writer.abort();
      throw this.stopped(error, writer, true);
    }
  }

  /** Read every record, validate it, count it, and hand valid entries to `write` (when given). */
  async pass(chunks: ByteChunks, phase: ImportProgress['phase'], write: ((entries: StoredEntry[]) => Promise<void>) | null): Promise<void> {
    const tally = this.tally;
    const skipInvalid = Boolean(this.options.skipInvalid);
    for await (const batch of this.entryBatches(chunks, (records, i, error) => this.reject(records, i, error))) {
      for (const entry of batch.entries) if (this.seen.add(entry.key)) tally.duplicates++;
      tally.entries += batch.records;
      if (tally.invalid === 0 || skipInvalid) {
        if (write) await write(batch.entries);
        else tally.written += batch.entries.length;
      }
      this.options.onProgress?.({ ...tally, phase });
    }
  }

  /**
   * The write pass of a validate-first import: the entries were checked already. Writes
   * are pipelined (see WritePipeline), so `tally.written` counts what the store acknowledged.
   */
  private async writePass(chunks: ByteChunks, writer: BulkWriter): Promise<void> {
    const signal = this.options.signal;
    this.tally.written = 0;
    const pipeline = new WritePipeline(writer, {
      onResult: (result) => this.tallyResult(result),
      // Requests in flight together may be applied in any order (a session's are applied in
      // the order sent): with a key given twice, one at a time, so the last one still wins.
      ...(this.tally.duplicates > 0 && !writer.session ? { inFlight: 1 } : {}),
    });
    let entries = 0;
    let invalidNow = 0;
    // Skipped in the first pass already, or turned invalid since (an expiration now too close): the latter failed.
    const onInvalid = (batch: RecordBatch, i: number) => {
      if (++invalidNow > this.tally.invalid) this.fail(this.builder.keyOf(batch, i) ?? '');
    };
    try {
      for await (const batch of this.entryBatches(chunks, onInvalid)) {
        entries += batch.records;
        await unlessAborted(pipeline.add(batch.entries), signal);
        this.options.onProgress?.({ ...this.tally, entries, phase: 'writing' });
      }
      await unlessAborted(pipeline.flush(), signal);
    } catch (error) {
      // Writes already sent may still be acknowledged: count them before reporting (unless
      // the user asked to stop: a server that stopped answering would keep us waiting).
      if (!signal?.aborted) await pipeline.settle();
      throw error;
    }
  }

  /**
   * The one record loop of both passes: the input's records, batch by batch, built into
   * entries; a record that breaks a rule goes to `onInvalid` instead.
   */
  private async *entryBatches(
    chunks: ByteChunks,
    onInvalid: (batch: RecordBatch, i: number, error: ValidationError) => void,
  ): AsyncIterable<EntryBatch> {
    for await (const batch of this.records(chunks)) {
      if (batch.columns && !this.csvColumns) this.noteColumns(batch.columns);
      const now = this.kv.clock();
      const entries: StoredEntry[] = [];
      const records = batch.records.length;
      for (let i = 0; i < records; i++) {
        try {
          entries.push(this.builder.build(batch, i, now));
        } catch (error) {
          if (!(error instanceof ValidationError)) throw error;
          onInvalid(batch, i, error);
        }
      }
      if (holdsLargeValue(entries)) {
        // The records' copies of the large value (the parsed text) are not needed any more:
        // dropped and collected before the store makes its own copies (see memory.ts).
        batch.records.length = 0;
        collectGarbage();
      }
      yield { entries, records };
    }
  }

  /** The input's records, batch by batch; Ctrl-C stops the reading even while it waits for input. */
  private records(chunks: ByteChunks): AsyncIterable<RecordBatch> {
    return abortable(readRecords(this.options.format, chunks, { source: this.name, ...this.delimiterOption() }), this.options.signal);
  }

  private async write(writer: BulkWriter, entries: StoredEntry[]): Promise<void> {
    for (let start = 0; start < entries.length; start += LIMITS.bulkMaxItems) {
      const part = start === 0 && entries.length <= LIMITS.bulkMaxItems ? entries : entries.slice(start, start + LIMITS.bulkMaxItems);
      this.tallyResult(await writer.write(part));
    }
  }

  private tallyResult(result: BulkWriteResult): void {
    this.tally.written += result.written;
    for (const key of result.unsuccessfulKeys) this.fail(key);
  }

  private fail(key: string): void {
    this.tally.failed++;
    if (this.failedKeys.length < this.reportLimit) this.failedKeys.push(key);
  }

  private delimiterOption(): { delimiter?: string; ignoreColumns: boolean } {
    const ignoreColumns = Boolean(this.options.ignoreColumns);
    return this.options.delimiter === undefined ? { ignoreColumns } : { delimiter: this.options.delimiter, ignoreColumns };
  }

  private noteColumns(columns: CsvColumns): void {
    this.csvColumns = columns;
    for (const name of unknownColumns(columns)) this.builder.unknownFields.set(name, -1);
  }

  private reject(batch: RecordBatch, i: number, error: ValidationError): void {
    this.tally.invalid++;
    if (this.invalid.length < this.reportLimit) {
      const key = this.builder.keyOf(batch, i);
      const entry: InvalidEntry = {
        index: batch.firstIndex + i,
        line: batch.lines[i] as number,
        ...(key === undefined ? {} : { key }),
        code: error.code,
        message: this.messageOf(error),
      };
      if (typeof error.details.limit === 'number') entry.limit = error.details.limit;
      if (typeof error.details.actual === 'number') entry.actual = error.details.actual;
      this.invalid.push(entry);
    }
    this.rejects?.add(batch, i);
  }

  /** The rule broken, without the key (reported beside it), with what to do for expirations in the past. */
  private messageOf(error: ValidationError): string {
    let message = error.reason;
    if (error.code === 'EXPIRATION_INVALID' && typeof error.details.actual === 'number') {
      const now = Math.floor(this.kv.clock() / 1000);
      if (error.details.actual <= now) message += ' (it is in the past: the key has already expired)';
      else message += ` (it is only ${error.details.actual - now} s away)`;
    }
    return message;
  }

  closeRejects(): void {
    this.rejects?.close(this.csvColumns);
  }

  summary(atomic: boolean, seconds: number): ImportSummary {
    const tally = this.tally;
    const skipInvalid = Boolean(this.options.skipInvalid);
    const unknownFields: Record<string, number> = {};
    for (const [field, count] of this.builder.unknownFields) unknownFields[field] = count < 0 ? tally.entries : count;
    return {
      namespace: this.kv.name,
      source: this.name,
      format: this.options.format,
      dryRun: Boolean(this.options.dryRun),
      entries: tally.entries,
      // A duplicate overwrote an earlier entry of the input: one key written, not two.
      written: tally.invalid > 0 && !skipInvalid ? 0 : Math.max(0, tally.written - tally.duplicates),
      skipped: skipInvalid ? tally.invalid : 0,
      duplicates: tally.duplicates,
      failed: tally.failed,
      failedKeys: this.failedKeys,
      invalid: this.invalid,
      invalidCount: tally.invalid,
      rejectsFile: skipInvalid && this.options.rejectsPath ? this.options.rejectsPath : null,
      unknownFields,
      atomic,
      seconds: Math.round(seconds * 1000) / 1000,
      keysPerSecond: seconds > 0 ? Math.round(tally.entries / seconds) : tally.entries,
    };
  }
}
