/**
 * The import engine (used by `kvadm import` and the interactive mode): reads a JSON,
 * JSON Lines or CSV stream, validates every entry through the KV client, and writes.
 *
 * Nothing is written unless every entry is valid (or `skipInvalid`), without reading
 * the input twice when the backend's bulk writer is atomic (the local store): entries
 * stream into one transaction while they are validated, and the transaction is rolled
 * back if any is invalid. A non-atomic backend (a remote) gets two passes instead:
 * validate everything (stdin is spooled to a temporary file meanwhile), then read it
 * again and write, a few requests in flight (see WritePipeline). Keeping the checked
 * entries in memory between the passes was measured slower for 100,000 small entries:
 * the garbage collector's work on them cost more than parsing the input again.
 *
 * Memory does not grow with the input, except for duplicate detection: 16 bytes per
 * distinct key (see KeyFingerprints).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Backend, BulkWriteResult, BulkWriter, StoredEntry } from '../backends/backend.js';
import { ExitCode, InterruptedError, KvadmError, NamespaceExistsError, NamespaceNotFoundError, ValidationError } from '../errors.js';
import { KV } from '../kv.js';
import { LIMITS } from '../limits.js';
import { type Format, type RecordBatch, readRecords } from '../formats/index.js';
import type { ByteChunks, CsvColumns } from '../formats/types.js';
import { csvWriter, unknownColumns } from '../formats/csv.js';
import { type TextWriter, jsonArrayWriter, jsonLinesWriter, jsonObjectWriter } from '../formats/json.js';
import { displayKey } from '../validation.js';
import { EntryBuilder } from './entries.js';
import { abortable, unlessAborted } from './interrupt.js';
import { type BulkSource, checkWritable, chunksOf, sourceName, teeToFile } from './io.js';
import { KeyFingerprints } from './key-fingerprints.js';
import { LARGE_VALUE_CHARS, collectGarbage } from '../memory.js';
import { count as countText, counted } from '../words.js';
import { WritePipeline } from './write-pipeline.js';

export interface ImportOptions {
  format: Format;
  /** CSV field delimiter (default ","). */
  delimiter?: string;
  /** CSV: leave columns kvadm does not know out (otherwise such a header is refused). */
  ignoreColumns?: boolean;
  /** Write the valid entries and leave out the invalid ones (instead of writing nothing). */
  skipInvalid?: boolean;
  /** Validate and count, write nothing. */
  dryRun?: boolean;
  /** With skipInvalid: write the rejected records here, in the input's format. */
  rejectsPath?: string;
  /** How many invalid entries the report lists (default 20); all are counted. */
  reportLimit?: number;
  /** Called after each batch with running totals (cheap: throttle rendering yourself). */
  onProgress?: (progress: ImportProgress) => void;
  /** Validate everything before writing anything (what a non-atomic backend gets); forced on for tests. */
  validateFirst?: boolean;
  /** Where stdin is spooled for a validate-first import (default: the system temp folder). */
  spoolDir?: string;
  /** Aborting it (Ctrl-C) stops the import with InterruptedError; on the local store nothing is written. */
  signal?: AbortSignal;
}

export interface ImportProgress {
  /** Records read so far. */
  entries: number;
  written: number;
  invalid: number;
  duplicates: number;
  /** 'validating' during the first pass of a validate-first import. */
  phase: 'importing' | 'validating' | 'writing';
}

export interface InvalidEntry {
  /** 0-based position of the entry in the input (data rows only, for CSV). */
  index: number;
  /** 1-based line where it starts. */
  line: number;
  key?: string;
  /** The rule broken: a stable code such as KEY_TOO_LONG, BASE64_INVALID. */
  code: string;
  message: string;
  limit?: number;
  actual?: number;
}

export interface ImportSummary {
  namespace: string;
  source: string;
  format: Format;
  dryRun: boolean;
  /** Entries read. */
  entries: number;
  /** Keys written (with dryRun: that would be written); a duplicate key counts once. */
  written: number;
  /** Invalid entries left out (skipInvalid). */
  skipped: number;
  /** Entries whose key appeared earlier in the input: the last one wins. */
  duplicates: number;
  /** Entries the backend refused (a remote); empty on the local store. */
  failed: number;
  failedKeys: string[];
  /** The first `reportLimit` invalid entries. */
  invalid: InvalidEntry[];
  invalidCount: number;
  rejectsFile: string | null;
  /** Fields or CSV columns that kvadm does not know and ignored, with how many entries had them. */
  unknownFields: Record<string, number>;
  /** Whether the entries were written in one transaction (all or nothing). */
  atomic: boolean;
  seconds: number;
  keysPerSecond: number;
}

/** Some entries are invalid: nothing was written. Exit 2; the details carry the report. */
export class InvalidEntriesError extends KvadmError {
  readonly summary: ImportSummary;
  constructor(summary: ImportSummary) {
    super('INVALID_ENTRIES', invalidReport(summary), {
      exitCode: ExitCode.usage,
      hint: `fix the entries and import again, or add --skip-invalid to write the valid ${summary.entries - summary.invalidCount === 1 ? 'one' : `${summary.entries - summary.invalidCount}`} (with --rejects FILE to keep the others)`,
      details: { ...summary },
    });
    this.summary = summary;
  }
}

/** The remote refused some entries; the others were written. Exit 1. */
export class ImportIncompleteError extends KvadmError {
  constructor(summary: ImportSummary) {
    super(
      'IMPORT_INCOMPLETE',
      `${summary.failed} of ${counted(summary.entries, 'entry', 'entries')} ${summary.failed === 1 ? 'was' : 'were'} refused by the ${summary.namespace} store (${summary.written} written): ${summary.failedKeys
        .slice(0, 5)
        .map(displayKey)
        .join(', ')}${summary.failed > 5 ? ', …' : ''}`,
      { exitCode: ExitCode.failure, hint: 'import the same file again: the import is idempotent', details: { ...summary } },
    );
  }
}

/**
 * A remote import that failed part-way (the server went away, refused the token, ...):
 * how many entries the server acknowledged, and that running it again is safe. The
 * cause's code and exit code are kept (6 for an unreachable server).
 */
export class ImportStoppedError extends KvadmError {
  constructor(cause: KvadmError, facts: { namespace: string; entries: number; acknowledged: number }) {
    super(
      cause.code,
      `the import into '${facts.namespace}' stopped after the server acknowledged ${countText(facts.acknowledged)} of ${countText(facts.entries)} ${plural(facts.entries, 'entry', 'entries')}: ${cause.message}`,
      {
        exitCode: cause.exitCode,
        hint: `the acknowledged entries are stored (others sent may be too); once the server is back, run the same import again: writing the same entries twice is harmless${cause.hint ? `. Also: ${cause.hint}` : ''}`,
        details: {
          ...cause.details,
          namespace: facts.namespace,
          entries: facts.entries,
          acknowledged: facts.acknowledged,
          idempotent: true,
        },
        cause,
      },
    );
  }
}

function plural(n: number, one: string, many: string): string {
  return n === 1 ? one : many;
}

/** The report of invalid entries: one line each (capped), then the count. */
export function invalidReport(summary: ImportSummary): string {
  const lines = [
    `${summary.invalidCount} of ${counted(summary.entries, 'entry', 'entries')} in ${summary.source} ${summary.invalidCount === 1 ? 'is' : 'are'} invalid; nothing was written${summary.dryRun ? ' (dry run)' : ''}:`,
  ];
  for (const entry of summary.invalid) lines.push(`  ${describeInvalid(entry)}`);
  if (summary.invalidCount > summary.invalid.length) {
    lines.push(
      `  … and ${summary.invalidCount - summary.invalid.length} more (${counted(summary.invalidCount, 'invalid entry', 'invalid entries')} in all)`,
    );
  }
  return lines.join('\n');
}

/** `entry 12 (line 13) key "a": KEY_TOO_LONG: UTF-8 encoded length of 600 exceeds … [limit 512, actual 600]` */
export function describeInvalid(entry: InvalidEntry): string {
  let text = `entry ${entry.index} (line ${entry.line})`;
  if (entry.key !== undefined) text += ` key ${displayKey(entry.key)}`;
  text += `: ${entry.code}: ${entry.message}`;
  if (entry.limit !== undefined && entry.actual !== undefined) text += ` [limit ${entry.limit}, actual ${entry.actual}]`;
  return text;
}

/** Entries for the write pass, and how many records of the input they stand for. */
interface WriteBatch {
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
      await run.pass(chunksOf(source), 'validating', null);
    } else {
      const writer = await kv.backend.bulkWriter(kv.name);
      if (writer.atomic && !options.validateFirst) {
        atomic = true;
        await run.singlePass(writer);
      } else {
        await writer.abort();
        await run.twoPasses();
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
  private rejects: { fd: number; writer: TextWriter<unknown> } | null = null;
  private csvColumns: CsvColumns | undefined;

  constructor(
    private readonly kv: KV,
    private readonly source: BulkSource,
    private readonly options: ImportOptions,
  ) {
    this.builder = new EntryBuilder(kv);
    this.reportLimit = options.reportLimit ?? DEFAULT_REPORT_LIMIT;
    this.name = sourceName(source);
  }

  /** Atomic: validate and write in one transaction; roll back when anything is invalid. */
  async singlePass(writer: BulkWriter): Promise<void> {
    try {
      await this.pass(chunksOf(this.source), 'importing', writer);
      if (this.tally.invalid > 0 && !this.options.skipInvalid) {
        await writer.abort();
        return;
      }
      await writer.commit();
    } catch (error) {
      await writer.abort();
      throw error;
    }
  }

  /** Validate everything (spooling a stream to a file), then read again and write. */
  async twoPasses(): Promise<void> {
    let input = this.source;
    let spool: string | null = null;
    try {
      let chunks = chunksOf(this.source);
      if (this.source.kind === 'stream') {
        spool = path.join(fs.mkdtempSync(path.join(this.options.spoolDir ?? os.tmpdir(), 'kvadm-import-')), 'input');
        chunks = teeToFile(chunks, spool);
        input = { kind: 'file', path: spool };
      }
      await this.pass(chunks, 'validating', null);
      if (this.tally.invalid > 0 && !this.options.skipInvalid) return;
      const writer = await this.kv.backend.bulkWriter(this.kv.name);
      try {
        await this.writePass(chunksOf(input), writer);
        await writer.commit();
      } catch (error) {
        await writer.abort();
        if (writer.atomic || !(error instanceof KvadmError) || error instanceof InterruptedError) throw error;
        throw new ImportStoppedError(error, { namespace: this.kv.name, entries: this.tally.entries, acknowledged: this.tally.written });
      }
    } finally {
      if (spool) fs.rmSync(path.dirname(spool), { recursive: true, force: true });
    }
  }

  /** Read every record, validate it, count it, and hand valid entries to `writer` (when given). */
  async pass(chunks: ByteChunks, phase: ImportProgress['phase'], writer: BulkWriter | null): Promise<void> {
    const tally = this.tally;
    const skipInvalid = Boolean(this.options.skipInvalid);
    for await (const batch of this.records(chunks)) {
      if (batch.columns && !this.csvColumns) this.noteColumns(batch.columns);
      const now = this.kv.clock();
      const valid: StoredEntry[] = [];
      const count = batch.records.length;
      for (let i = 0; i < count; i++) {
        let entry: StoredEntry;
        try {
          entry = this.builder.build(batch, i, now);
        } catch (error) {
          if (!(error instanceof ValidationError)) throw error;
          this.reject(batch, i, error);
          continue;
        }
        if (this.seen.add(entry.key)) tally.duplicates++;
        valid.push(entry);
      }
      tally.entries += count;
      if (holdsLargeValue(valid)) {
        // The records' copies of the large value (the parsed text) are not needed any more:
        // dropped and collected before the store makes its own copies (see memory.ts).
        batch.records.length = 0;
        collectGarbage();
      }
      if (tally.invalid === 0 || skipInvalid) {
        if (writer) await this.write(writer, valid);
        else tally.written += valid.length;
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
      // Requests in flight together may be applied in any order: with a key given twice, one
      // at a time, so the last one still wins.
      ...(this.tally.duplicates > 0 ? { inFlight: 1 } : {}),
    });
    let entries = 0;
    try {
      for await (const batch of this.readAgain(chunks)) {
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

  /** The entries of the first pass, from the input read again. */
  private async *readAgain(chunks: ByteChunks): AsyncIterable<WriteBatch> {
    let invalidNow = 0;
    for await (const batch of this.records(chunks)) {
      const now = this.kv.clock();
      const entries: StoredEntry[] = [];
      for (let i = 0; i < batch.records.length; i++) {
        try {
          entries.push(this.builder.build(batch, i, now));
        } catch (error) {
          if (!(error instanceof ValidationError)) throw error;
          // Skipped in the first pass already, or turned invalid since (an expiration now too close): the latter failed.
          if (++invalidNow > this.tally.invalid) this.fail(this.builder.keyOf(batch, i) ?? '');
        }
      }
      yield { entries, records: batch.records.length };
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
        message: this.messageOf(error, key),
      };
      if (typeof error.details.limit === 'number') entry.limit = error.details.limit;
      if (typeof error.details.actual === 'number') entry.actual = error.details.actual;
      this.invalid.push(entry);
    }
    if (this.options.skipInvalid && this.options.rejectsPath) this.writeReject(batch, i);
  }

  /** The rule broken, without the key (reported beside it), with what to do for expirations in the past. */
  private messageOf(error: ValidationError, key: string | undefined): string {
    let message = error.message;
    if (key !== undefined) {
      const prefix = `key ${displayKey(key)}: `;
      if (message.startsWith(prefix)) message = message.slice(prefix.length);
    }
    if (error.code === 'EXPIRATION_INVALID' && typeof error.details.actual === 'number') {
      const now = Math.floor(this.kv.clock() / 1000);
      if (error.details.actual <= now) message += ' (it is in the past: the key has already expired)';
      else message += ` (it is only ${error.details.actual - now} s away)`;
    }
    return message;
  }

  private writeReject(batch: RecordBatch, i: number): void {
    if (!this.rejects) {
      const writer = rejectsWriter(batch, this.options.format, this.options.delimiter ?? ',');
      const fd = fs.openSync(this.options.rejectsPath as string, 'w');
      fs.writeSync(fd, writer.begin());
      this.rejects = { fd, writer };
    }
    fs.writeSync(this.rejects.fd, this.rejects.writer.write([batch.records[i]]));
  }

  closeRejects(): void {
    const path = this.options.rejectsPath;
    if (!path || !this.options.skipInvalid) return;
    if (!this.rejects) {
      // No rejects: still leave a file, so a stale one from an earlier run is never mistaken for this run's.
      let empty = '';
      if (this.options.format === 'json') empty = '[]\n';
      else if (this.csvColumns) empty = csvWriter<unknown>(this.csvColumns.header, () => [], this.options.delimiter ?? ',').begin();
      fs.writeFileSync(path, empty);
      return;
    }
    fs.writeSync(this.rejects.fd, this.rejects.writer.end());
    fs.closeSync(this.rejects.fd);
    this.rejects = null;
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

/** Rejected records go out in the format they came in. */
function rejectsWriter(batch: RecordBatch, format: Format, delimiter: string): TextWriter<unknown> {
  if (batch.kind === 'row') {
    const columns = batch.columns as CsvColumns;
    return csvWriter<unknown>(columns.header, (row) => row as string[], delimiter);
  }
  if (batch.kind === 'pair') return jsonObjectWriter() as TextWriter<unknown>;
  return format === 'jsonl' ? jsonLinesWriter<unknown>((r) => JSON.stringify(r)) : jsonArrayWriter<unknown>((r) => JSON.stringify(r));
}

export interface NamespaceImportOptions extends ImportOptions {
  /** Create the namespace when it does not exist (otherwise: NamespaceNotFoundError, exit 3). */
  createNamespace?: boolean;
}

export interface NamespaceImportSummary extends ImportSummary {
  /** The namespace was created by this import. */
  createdNamespace: boolean;
}

/**
 * Import into the namespace `name`, creating it first when asked. A namespace created
 * for an import that then writes nothing (invalid input, an error) or is interrupted is
 * removed again, so a failed import leaves no trace. A dry run never creates anything.
 */
export async function importIntoNamespace(
  backend: Backend,
  name: string,
  source: BulkSource,
  options: NamespaceImportOptions,
): Promise<NamespaceImportSummary> {
  let kv: KV;
  let created = false;
  try {
    kv = await KV.open(name, { backend });
  } catch (error) {
    if (!(error instanceof NamespaceNotFoundError) || !options.createNamespace) throw error;
    if (options.dryRun) {
      // Validate only: checking entries needs no namespace.
      kv = new KV(name, { backend });
    } else {
      try {
        kv = await KV.create(name, { backend });
        created = true;
      } catch (raced) {
        if (!(raced instanceof NamespaceExistsError)) throw raced;
        kv = await KV.open(name, { backend });
      }
    }
  }
  try {
    const summary = await importEntries(kv, source, options);
    return { ...summary, createdNamespace: created };
  } catch (error) {
    // Interrupted: the namespace goes whatever it holds (on the local store nothing, the
    // transaction was rolled back). Failed: it goes only when empty, so a remote import that
    // stopped part-way keeps what the server acknowledged for the re-run to complete.
    if (created && (error instanceof InterruptedError || (await kv.info().catch(() => null))?.keyCount === 0)) {
      await KV.delete(name, { backend }).catch(() => undefined);
    }
    throw error;
  }
}
