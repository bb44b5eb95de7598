/**
 * The streaming merge-join under diff and sync: two byte-ordered streams of entries
 * (one per store) walked side by side, so memory holds a page of each, never a whole
 * namespace. Keys compare in UTF-8 byte order, the order both backends list in.
 */
import { type Backend, type KeyPair, type SideEntry, type StoredEntry, sideEntryOfKeyInfo } from '../backends/backend.js';
import { compareKeys } from '../cursor.js';
import { valueDigest } from '../digest.js';

export interface ReadOptions {
  prefix?: string | undefined;
  /** Listings only: no values read. */
  keysOnly?: boolean | undefined;
  /** Entries per page (default 1000). */
  pageSize?: number | undefined;
  /**
   * The caller only compares SRC's values, never writes them (diff): a remote SRC may then be
   * read as digests too. Sync writes SRC's entries, so it reads their values.
   */
  srcValuesUnused?: boolean | undefined;
}

/** One side's entries in key order, page by page: the backend's scan, or its listing with --keys-only. */
export async function* readSide(backend: Backend, namespace: string, options: ReadOptions = {}): AsyncIterable<SideEntry[]> {
  const pageSize = options.pageSize ?? 1000;
  const prefix = options.prefix ? { prefix: options.prefix } : {};
  if (!options.keysOnly) {
    yield* backend.scan(namespace, { ...prefix, batchSize: pageSize }) as AsyncIterable<StoredEntry[]>;
    return;
  }
  let cursor: string | undefined;
  for (;;) {
    const page = await backend.list(namespace, { ...prefix, limit: Math.min(pageSize, 1000), ...(cursor ? { cursor } : {}) });
    if (page.keys.length > 0) {
      yield page.keys.map(sideEntryOfKeyInfo);
    }
    if (page.list_complete || !page.cursor) return;
    cursor = page.cursor;
  }
}

/**
 * Ask `source` for its next `depth` pages before they are needed: a remote side then
 * fetches values while this process compares (and the other side reads), so the two
 * processes of a remote sync work at the same time instead of taking turns.
 */
export async function* readAhead<T>(source: AsyncIterable<T>, depth: number): AsyncIterable<T> {
  const iterator = source[Symbol.asyncIterator]();
  const pending: Promise<IteratorResult<T>>[] = [];
  const request = () => {
    const next = iterator.next();
    // Observed when its turn comes; until then a failure must not count as unhandled.
    next.catch(() => undefined);
    pending.push(next);
  };
  let finished = false;
  try {
    for (let i = 0; i < depth; i++) request();
    for (;;) {
      const result = await (pending.shift() as Promise<IteratorResult<T>>);
      if (result.done) {
        finished = true;
        return;
      }
      request();
      yield result.value;
    }
  } finally {
    if (!finished) await iterator.return?.(undefined);
  }
}

/** A page-buffered reader of one side: `entry` is the current one (null at the end); only turning a page awaits. */
class SideReader {
  private page: SideEntry[] = [];
  private index = 0;
  private finished = false;
  entry: SideEntry | null = null;
  private readonly pages: AsyncIterator<SideEntry[]>;

  constructor(source: AsyncIterable<SideEntry[]>) {
    this.pages = source[Symbol.asyncIterator]();
  }

  /**
   * Move to the next entry: at once within a page (undefined), else a promise of the next
   * page. Not an async function, so the walk pays for a promise once per page, not per key.
   */
  advance(): Promise<void> | undefined {
    this.index++;
    if (this.index < this.page.length) {
      this.entry = this.page[this.index] as SideEntry;
      return undefined;
    }
    return this.turnPage();
  }

  /** Read the first entry (call once before the walk). */
  start(): Promise<void> {
    return this.turnPage();
  }

  private async turnPage(): Promise<void> {
    for (;;) {
      const next = this.finished ? undefined : await this.pages.next();
      if (next === undefined || next.done) {
        this.finished = true;
        this.entry = null;
        return;
      }
      if (next.value.length > 0) {
        this.page = next.value;
        this.index = 0;
        this.entry = this.page[0] as SideEntry;
        return;
      }
    }
  }

  async close(): Promise<void> {
    if (!this.finished) await this.pages.return?.();
  }
}

/** Pages each side reads ahead of the merge. */
const READ_AHEAD_PAGES = 2;

/** Both sides merged in key order, in batches of up to `batchSize` pairs. */
export async function* mergeSides(
  src: AsyncIterable<SideEntry[]>,
  dst: AsyncIterable<SideEntry[]>,
  batchSize = 1000,
): AsyncIterable<KeyPair[]> {
  const left = new SideReader(readAhead(src, READ_AHEAD_PAGES));
  const right = new SideReader(readAhead(dst, READ_AHEAD_PAGES));
  try {
    await Promise.all([left.start(), right.start()]);
    let batch: KeyPair[] = [];
    for (;;) {
      const a = left.entry;
      const b = right.entry;
      if (a === null && b === null) break;
      const order = a === null ? 1 : b === null ? -1 : compareKeys(a.key, b.key);
      // Advancing is synchronous within a page: the walk awaits once per page, not per key.
      if (order <= 0) {
        batch.push({ key: (a as SideEntry).key, src: a, dst: order === 0 ? b : null });
        const turning = left.advance();
        if (turning) await turning;
      }
      if (order >= 0) {
        if (order > 0) batch.push({ key: (b as SideEntry).key, src: null, dst: b });
        const turning = right.advance();
        if (turning) await turning;
      }
      if (batch.length >= batchSize) {
        yield batch;
        batch = [];
      }
    }
    if (batch.length > 0) yield batch;
  } finally {
    await Promise.all([left.close(), right.close()]);
  }
}

/**
 * SRC and DST walked together in key order: one join inside the store when SRC's backend can
 * read DST's storage (two local stores), else the merge of two scans.
 */
export function readPairs(
  src: { backend: Backend; namespace: string },
  dst: { backend: Backend; namespace: string } | null,
  options: ReadOptions = {},
): AsyncIterable<KeyPair[]> {
  if (dst === null) return mergeSides(readSide(src.backend, src.namespace, options), emptySide());
  const joined = src.backend.joinScan?.(src.namespace, dst.backend, dst.namespace, {
    prefix: options.prefix,
    values: !options.keysOnly,
    batchSize: options.pageSize ?? 1000,
  });
  if (joined) return joined;
  const dstDigests = !options.keysOnly && dst.backend.scanDigests !== undefined;
  const srcDigests = !options.keysOnly && Boolean(options.srcValuesUnused) && src.backend.scanDigests !== undefined;
  const pairs = mergeSides(sideOf(src, srcDigests, options), sideOf(dst, dstDigests, options));
  return dstDigests || srcDigests ? comparedByDigest(pairs) : pairs;
}

/** One side's entries: with value digests from the store instead of values when `digests`, else readSide. */
function sideOf(store: { backend: Backend; namespace: string }, digests: boolean, options: ReadOptions): AsyncIterable<SideEntry[]> {
  if (!digests || !store.backend.scanDigests) return readSide(store.backend, store.namespace, options);
  return store.backend.scanDigests(store.namespace, {
    ...(options.prefix ? { prefix: options.prefix } : {}),
    ...(options.pageSize ? { batchSize: options.pageSize } : {}),
  });
}

/** A side's digest: the one the store gave, or computed from the value read; null when neither was read. */
function digestOf(entry: SideEntry): string | null {
  if (entry.digest !== undefined) return entry.digest;
  return entry.value === null ? null : valueDigest(entry.value);
}

/**
 * Pairs where a side came as a digest (a remote store's `scanDigests`) get `valuesEqual` from
 * the two digests, the other side's computed from its value; pairs with both values are left
 * to the byte comparison.
 */
async function* comparedByDigest(pairs: AsyncIterable<KeyPair[]>): AsyncIterable<KeyPair[]> {
  for await (const batch of pairs) {
    for (const pair of batch) {
      if (pair.src === null || pair.dst === null) continue;
      if (pair.src.digest === undefined && pair.dst.digest === undefined) continue;
      const a = digestOf(pair.src);
      const b = digestOf(pair.dst);
      if (a !== null && b !== null) pair.valuesEqual = a === b;
    }
    yield batch;
  }
}

async function* emptySide(): AsyncIterable<SideEntry[]> {}
