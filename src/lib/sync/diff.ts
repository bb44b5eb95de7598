/**
 * The diff engine: every live key of two namespaces (under a prefix), compared by value
 * bytes, metadata and expiration, streamed through the merge-join. Differences are handed
 * to the caller one by one (the command prints them as they come), only counts are kept.
 */
import { KV } from '../kv.js';
import { validatePrefix } from '../validation.js';
import { type Difference, differences } from './compare.js';
import { readPairs } from './merge.js';
import type { Store } from './stores.js';

export type DifferenceKind = 'added' | 'removed' | 'changed';

export interface KeyDifference {
  key: string;
  /** added: only in SRC; removed: only in DST; changed: in both, different. */
  kind: DifferenceKind;
  /** For changed keys: what differs. */
  differs?: Difference[];
}

export interface DiffCounts {
  added: number;
  removed: number;
  changed: number;
  same: number;
}

export interface DiffOptions {
  prefix?: string | undefined;
  /** Compare listings only (metadata and expiration), never read values. */
  keysOnly?: boolean | undefined;
  onDifference?: (difference: KeyDifference) => void;
  /** After each merged batch, with the keys compared so far; awaited (a caller can flush output with backpressure). */
  onProgress?: (compared: number) => void | Promise<void>;
}

export interface DiffSummary {
  source: string;
  destination: string;
  prefix: string | null;
  keysOnly: boolean;
  counts: DiffCounts;
  seconds: number;
}

/** Open a namespace, checked to exist (NamespaceNotFoundError, exit 3). */
export async function openNamespace(store: Store): Promise<KV> {
  return KV.open(store.namespace, { backend: store.backend });
}

export async function diffStores(src: Store, dst: Store, options: DiffOptions = {}): Promise<DiffSummary> {
  const started = performance.now();
  if (options.prefix) validatePrefix(options.prefix);
  await openNamespace(src);
  await openNamespace(dst);
  // Diff never writes SRC's values: a remote SRC may be compared by digest too.
  const read = { prefix: options.prefix, keysOnly: options.keysOnly, srcValuesUnused: true };
  const counts: DiffCounts = { added: 0, removed: 0, changed: 0, same: 0 };
  let compared = 0;
  for await (const batch of readPairs(src, dst, read)) {
    for (const pair of batch) {
      if (pair.dst === null) {
        counts.added++;
        options.onDifference?.({ key: pair.key, kind: 'added' });
      } else if (pair.src === null) {
        counts.removed++;
        options.onDifference?.({ key: pair.key, kind: 'removed' });
      } else {
        const differs = differences(pair.src, pair.dst, pair.valuesEqual);
        if (differs === null) counts.same++;
        else {
          counts.changed++;
          options.onDifference?.({ key: pair.key, kind: 'changed', differs });
        }
      }
    }
    compared += batch.length;
    await options.onProgress?.(compared);
  }
  return {
    source: src.label,
    destination: dst.label,
    prefix: options.prefix ?? null,
    keysOnly: Boolean(options.keysOnly),
    counts,
    seconds: Math.round(performance.now() - started) / 1000,
  };
}
