/**
 * The copy engine: every SRC entry written to DST, DST never read (for an empty or new
 * namespace, or to overwrite regardless), at the speed of import. As import: on the
 * local store one transaction, and on a remote one with bulk sessions (kvadm serve) one
 * session, validated as it goes; on another remote every entry is checked in a first pass,
 * so nothing is written when one would be refused.
 */
import type { StoredEntry } from '../backends/backend.js';
import { KV } from '../kv.js';
import { validatePrefix } from '../validation.js';
import { Applier, RefusalReport, type RefusedEntry, WRITE_CHUNK, refusalOf } from './apply.js';
import { openDestination } from './destination.js';
import type { Store } from './stores.js';

export interface CopyOptions {
  prefix?: string | undefined;
  skipInvalid?: boolean | undefined;
  createNamespace?: boolean | undefined;
  onProgress?: (progress: { phase: 'validating' | 'copying'; done: number }) => void;
  reportLimit?: number;
  clock?: () => number;
}

export interface CopySummary {
  source: string;
  destination: string;
  prefix: string | null;
  /** SRC entries read. */
  entries: number;
  written: number;
  /** Entries DST would refuse: left out with skipInvalid, else the reason nothing was written. */
  invalidCount: number;
  invalid: RefusedEntry[];
  failed: number;
  failedKeys: string[];
  applied: boolean;
  createdNamespace: boolean;
  atomic: boolean;
  seconds: number;
  keysPerSecond: number;
}

export async function copyStore(src: Store, dst: Store, options: CopyOptions = {}): Promise<CopySummary> {
  const started = performance.now();
  const clock = options.clock ?? Date.now;
  if (options.prefix) validatePrefix(options.prefix);
  const source = await KV.open(src.namespace, { backend: src.backend });
  const destination = await openDestination(dst, { create: Boolean(options.createNamespace), dryRun: false });
  const reportLimit = options.reportLimit ?? 20;
  const refusals = new RefusalReport(reportLimit);
  const scan = () => source.scan({ ...(options.prefix ? { prefix: options.prefix } : {}), batchSize: 2000 });
  let entries = 0;

  // A remote destination with bulk sessions (kvadm serve) takes the copy all or nothing, in one read of SRC.
  const writer = await dst.backend.bulkWriter(dst.namespace, { staged: true });
  const applier = new Applier(writer, reportLimit, (keys) => dst.backend.deleteMany(dst.namespace, keys));
  const finish = (applied: boolean): CopySummary => {
    const seconds = (performance.now() - started) / 1000;
    return {
      source: src.label,
      destination: dst.label,
      prefix: options.prefix ?? null,
      entries,
      written: applied ? applier.written : 0,
      invalidCount: refusals.count,
      invalid: refusals.entries,
      failed: applier.failed,
      failedKeys: applier.failedKeys,
      applied,
      createdNamespace: destination.created && applied,
      atomic: writer.atomic,
      seconds: Math.round(seconds * 1000) / 1000,
      keysPerSecond: seconds > 0 ? Math.round(entries / seconds) : entries,
    };
  };
  try {
    // A remote store cannot take writes back: check everything before the first write.
    if (!writer.atomic && !options.skipInvalid) {
      let done = 0;
      for await (const page of scan()) {
        const now = clock();
        for (const entry of page) {
          const refusal = refusalOf(entry, now);
          if (refusal) refusals.add(entry.key, refusal);
        }
        done += page.length;
        options.onProgress?.({ phase: 'validating', done });
      }
      if (refusals.count > 0) {
        entries = done;
        await destination.discardIfEmpty();
        return finish(false);
      }
    }
    let pending: StoredEntry[] = [];
    for await (const page of scan()) {
      const now = clock();
      for (const entry of page) {
        const refusal = refusalOf(entry, now);
        if (refusal === null) {
          if (refusals.count === 0 || options.skipInvalid) pending.push(entry);
        } else if (writer.atomic || options.skipInvalid) refusals.add(entry.key, refusal);
        // A remote entry that turned invalid since the first pass (its expiry came close) fails alone.
        else applier.refuse(entry.key);
      }
      entries += page.length;
      if (pending.length >= WRITE_CHUNK) {
        await applier.write(pending);
        pending = [];
      }
      options.onProgress?.({ phase: 'copying', done: entries });
    }
    await applier.write(pending);
    if (refusals.count > 0 && !options.skipInvalid) {
      await writer.abort();
      await destination.discardIfEmpty();
      return finish(false);
    }
    await applier.commit();
    return finish(true);
  } catch (error) {
    await writer.abort();
    // An aborted session (kvadm serve) took back what it had acknowledged.
    if (applier.written === 0 || writer.session) await destination.discardIfEmpty().catch(() => undefined);
    throw error;
  }
}
