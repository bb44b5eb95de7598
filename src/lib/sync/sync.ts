/**
 * The sync engine: make DST match SRC by writing the keys that are new or different (and,
 * with `delete`, removing the keys only DST has), never touching keys that already match.
 *
 * On an atomic destination (the local store, or a remote one's staged bulk session: kvadm
 * serve) one pass compares and writes into one transaction; the plan is shown (and
 * confirmed) before the commit, so a refusal, an invalid entry, an error or a kill leaves
 * DST as it was. Another remote destination cannot roll back, so the plan comes first: a
 * pass compares and spools the keys to change to a temporary file, then, once confirmed,
 * their SRC entries are read again in batches and written in key order; a failure reports
 * exactly which keys went in.
 */
import type { StoredEntry } from '../backends/backend.js';
import { KV } from '../kv.js';
import { validatePrefix } from '../validation.js';
import { Applier, RefusalReport, type RefusedEntry, WRITE_CHUNK, refusalOf } from './apply.js';
import { differences } from './compare.js';
import { openDestination } from './destination.js';
import { readAhead, readPairs } from './merge.js';
import { KeySpool, spoolFolder } from './spool.js';
import type { Store } from './stores.js';

export interface SyncPlan {
  /** Keys only in SRC: to write. */
  add: number;
  /** Keys in both that differ: to overwrite. */
  change: number;
  /** Keys only in DST: to delete (with --delete), else left alone. */
  delete: number;
  /** Keys only in DST that stay (no --delete). */
  keep: number;
  same: number;
  /** SRC entries DST would refuse. */
  invalid: number;
}

export interface SyncOptions {
  prefix?: string | undefined;
  /** Remove keys that only DST has. */
  delete?: boolean | undefined;
  /** Compare and report the plan; write nothing. */
  dryRun?: boolean | undefined;
  /** Write the valid entries and leave out those DST would refuse (otherwise nothing is written). */
  skipInvalid?: boolean | undefined;
  createNamespace?: boolean | undefined;
  /**
   * Called once the plan is known and there is something to do, before anything is applied
   * (on the local store: before the commit). Resolve false to apply nothing.
   */
  confirm?: (plan: SyncPlan) => Promise<boolean>;
  onProgress?: (progress: { phase: 'comparing' | 'writing' | 'deleting'; done: number }) => void;
  /** Invalid and failed keys listed in the summary (default 20); all are counted. */
  reportLimit?: number;
  /** Where a remote sync spools its plan (default: the system temp folder). */
  spoolDir?: string;
  clock?: () => number;
}

export interface SyncSummary {
  source: string;
  destination: string;
  prefix: string | null;
  dryRun: boolean;
  plan: SyncPlan;
  /** False when nothing was applied: a dry run, a declined confirmation, or invalid entries. */
  applied: boolean;
  written: number;
  deleted: number;
  /** Keys the destination refused after retries (remote only). */
  failed: number;
  failedKeys: string[];
  invalid: RefusedEntry[];
  createdNamespace: boolean;
  /** True when the destination applied everything in one transaction (the local store). */
  atomic: boolean;
  seconds: number;
  /** Keys written and deleted per second. */
  keysPerSecond: number;
}

const DEFAULT_REPORT_LIMIT = 20;

export async function syncStores(src: Store, dst: Store, options: SyncOptions = {}): Promise<SyncSummary> {
  const started = performance.now();
  const clock = options.clock ?? Date.now;
  if (options.prefix) validatePrefix(options.prefix);
  await KV.open(src.namespace, { backend: src.backend });
  const dryRun = Boolean(options.dryRun);
  const destination = await openDestination(dst, { create: Boolean(options.createNamespace), dryRun });
  const plan: SyncPlan = { add: 0, change: 0, delete: 0, keep: 0, same: 0, invalid: 0 };
  const refusals = new RefusalReport(options.reportLimit ?? DEFAULT_REPORT_LIMIT);
  const read = { prefix: options.prefix };
  const pairs = readPairs(src, destination.exists ? dst : null, read);

  /**
   * Walk the merge; hand each key to write / delete to the callbacks. They return a promise
   * only when they did I/O (a full chunk), so the walk does not await once per key. With
   * `keepsValues` (the callback keeps entries until a chunk is full or its requests are
   * answered), an entry whose value is a view of its page's buffer waits for the end of the
   * batch, when those that keep only a small part of their buffer get values of their own in one
   * copy (ownSparseValues); the rest go at once.
   */
  const compare = async (
    onWrite: (entry: StoredEntry) => Promise<void> | undefined,
    onDelete: (key: string) => Promise<void> | undefined,
    keepsValues = false,
  ) => {
    let done = 0;
    for await (const batch of pairs) {
      const now = clock();
      const toOwn: StoredEntry[] = [];
      for (const pair of batch) {
        if (pair.src === null) {
          if (options.delete) {
            plan.delete++;
            const deleting = onDelete(pair.key);
            if (deleting) await deleting;
          } else plan.keep++;
          continue;
        }
        if (pair.dst !== null && differences(pair.src, pair.dst, pair.valuesEqual) === null) {
          plan.same++;
          continue;
        }
        if (pair.dst === null) plan.add++;
        else plan.change++;
        // SRC's value is read for every key whose rows differ (a join leaves it out only for identical rows).
        const entry = pair.src as StoredEntry;
        const refusal = refusalOf(entry, now);
        if (refusal) {
          plan.invalid++;
          refusals.add(entry.key, refusal);
        } else if (plan.invalid === 0 || options.skipInvalid) {
          if (keepsValues && sharesBuffer(entry.value)) {
            toOwn.push(entry);
          } else {
            const writing = onWrite(entry);
            if (writing) await writing;
          }
        }
      }
      ownSparseValues(toOwn);
      for (const entry of toOwn) {
        const writing = onWrite(entry);
        if (writing) await writing;
      }
      done += batch.length;
      options.onProgress?.({ phase: 'comparing', done });
    }
  };
  const blocked = () => plan.invalid > 0 && !options.skipInvalid;
  const nothingToDo = () => plan.add + plan.change + plan.delete === 0;
  const confirmed = async () => (blocked() ? false : nothingToDo() || !options.confirm || (await options.confirm(plan)));

  const summary = (applier: Applier | null, applied: boolean, atomic: boolean): SyncSummary => {
    const seconds = (performance.now() - started) / 1000;
    const changed = applier ? applier.written + applier.deleted : 0;
    return {
      source: src.label,
      destination: dst.label,
      prefix: options.prefix ?? null,
      dryRun,
      plan,
      applied,
      written: applier?.written ?? 0,
      deleted: applier?.deleted ?? 0,
      failed: applier?.failed ?? 0,
      failedKeys: applier?.failedKeys ?? [],
      invalid: refusals.entries,
      createdNamespace: destination.created && applied,
      atomic,
      seconds: Math.round(seconds * 1000) / 1000,
      keysPerSecond: seconds > 0 ? Math.round(changed / seconds) : changed,
    };
  };

  if (dryRun) {
    await compare(
      () => undefined,
      () => undefined,
    );
    return summary(null, false, false);
  }

  const writer = await dst.backend.bulkWriter(dst.namespace, { staged: true });
  const applier = new Applier(writer, options.reportLimit ?? DEFAULT_REPORT_LIMIT, (keys) =>
    writer.remove ? writer.remove(keys) : dst.backend.deleteMany(dst.namespace, keys),
  );
  try {
    if (writer.atomic) {
      // One pass into one transaction: nothing is visible (or survives a kill) before the commit.
      let writes: StoredEntry[] = [];
      let deletes: string[] = [];
      await compare(
        (entry) => {
          writes.push(entry);
          if (writes.length < WRITE_CHUNK) return undefined;
          const full = writes;
          writes = [];
          return applier.write(full);
        },
        (key) => {
          deletes.push(key);
          if (deletes.length < WRITE_CHUNK) return undefined;
          const full = deletes;
          deletes = [];
          return applier.remove(full);
        },
        true,
      );
      await applier.write(writes);
      await applier.remove(deletes);
      await applier.flush();
      if (!(await confirmed())) {
        await writer.abort();
        await destination.discardIfEmpty();
        return summary(null, false, true);
      }
      await applier.commit();
      return summary(applier, true, true);
    }
    return await planThenApply();
  } catch (error) {
    await writer.abort();
    // An aborted session (kvadm serve) took back what it had acknowledged.
    if ((applier.written === 0 && applier.deleted === 0) || writer.session) {
      await destination.discardIfEmpty().catch(() => undefined);
    }
    throw error;
  }

  /** A remote destination: spool the plan, confirm, then write and delete in key order. */
  async function planThenApply(): Promise<SyncSummary> {
    const folder = spoolFolder(options.spoolDir);
    try {
      const writes = new KeySpool(`${folder.dir}/write`);
      const deletes = new KeySpool(`${folder.dir}/delete`);
      await compare(
        (entry) => {
          writes.add(entry.key);
          return undefined;
        },
        (key) => {
          deletes.add(key);
          return undefined;
        },
      );
      writes.finish();
      deletes.finish();
      if (!(await confirmed())) {
        await destination.discardIfEmpty();
        return summary(null, false, false);
      }
      let done = 0;
      // Read again now: SRC may have changed since it was compared; what is gone is not written.
      async function* reread() {
        for await (const keys of writes.chunks(WRITE_CHUNK)) {
          // Let the previous chunk's write requests go out before SQLite's synchronous read.
          await new Promise<void>((resolve) => setImmediate(resolve));
          yield { keys, entries: await src.backend.getMany(src.namespace, keys) };
        }
      }
      // One chunk is read from SRC while the previous one's requests are on the wire (writes stay
      // one at a time, in key order, so a failure still says exactly what went in).
      for await (const chunk of readAhead(reread(), 1)) {
        const now = clock();
        const valid: StoredEntry[] = [];
        for (const entry of chunk.entries) {
          if (entry === null) continue;
          if (refusalOf(entry, now) === null) valid.push(entry);
          else applier.refuse(entry.key);
        }
        await applier.write(valid);
        done += chunk.keys.length;
        options.onProgress?.({ phase: 'writing', done });
      }
      done = 0;
      for await (const keys of deletes.chunks(WRITE_CHUNK)) {
        await applier.remove(keys);
        done += keys.length;
        options.onProgress?.({ phase: 'deleting', done });
      }
      await writer.commit();
      return summary(applier, true, false);
    } finally {
      folder.remove();
    }
  }
}

/** A view of a larger buffer: the local store reads a page's values as one blob (LocalBackend.entryPage). */
function sharesBuffer(value: Uint8Array): boolean {
  return value.byteLength !== value.buffer.byteLength;
}

/**
 * The share of a buffer a batch must keep for its views to stay views (ownSparseValues): memory
 * then holds at most 4 times the bytes a batch keeps.
 */
const KEPT_SHARE_MIN = 0.25;

/**
 * Give values of their own, in one copy, to those of `entries` that keep only a small part of the
 * buffer they view: a few entries kept from each page (a sparse change, waiting in a write chunk or
 * a request in flight) would keep every page's whole blob in memory. A buffer mostly kept (a
 * join's blob, which holds only changed values, or a page where most keys changed) is left as it is.
 * Entries come in key order, so those viewing one page's buffer are consecutive: each run of them
 * is judged as one.
 */
function ownSparseValues(entries: StoredEntry[]): void {
  const sparse: StoredEntry[] = [];
  let total = 0;
  for (let start = 0; start < entries.length; ) {
    const { buffer } = (entries[start] as StoredEntry).value;
    let end = start;
    let kept = 0;
    for (; end < entries.length && (entries[end] as StoredEntry).value.buffer === buffer; end++)
      kept += (entries[end] as StoredEntry).value.byteLength;
    if (kept < buffer.byteLength * KEPT_SHARE_MIN) {
      for (let i = start; i < end; i++) sparse.push(entries[i] as StoredEntry);
      total += kept;
    }
    start = end;
  }
  if (sparse.length === 0) return;
  const own = Buffer.allocUnsafeSlow(total);
  let offset = 0;
  for (const entry of sparse) {
    const size = entry.value.byteLength;
    own.set(entry.value, offset);
    entry.value = own.subarray(offset, offset + size);
    offset += size;
  }
}
