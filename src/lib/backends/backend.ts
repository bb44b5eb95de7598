/**
 * The storage interface every backend implements. The KV client validates input and
 * calls these; backends only store and transport. Values are bytes, metadata is the
 * already-validated JSON text, expirations are absolute unix seconds.
 */

/** A row as it is stored. */
export interface StoredEntry {
  key: string;
  value: Uint8Array;
  /** Absolute expiry, unix seconds; null when the key never expires. */
  expiration: number | null;
  /** Serialised JSON metadata; null when none. */
  metadata: string | null;
  /**
   * The TTL the write asked for (seconds), when it was given as a TTL. `expiration` is
   * that moment by the writer's clock; a remote store applies the TTL from its own clock
   * instead, so a 60 s TTL is never refused as "less than 60 s ahead" by the time it arrives.
   */
  expirationTtl?: number;
}

/** A key in a listing (the wire shape of docs/PROTOCOL.md). */
export interface KeyInfo {
  name: string;
  expiration?: number;
  metadata?: unknown;
  /** The value's digest (src/lib/digest.ts), when the listing was asked for digests and the store gives them. */
  digest?: string;
}

export interface ListOptions {
  prefix?: string;
  /** Page size, 1..1000 (1..10,000 with `digest`: LIMITS.digestListMaxLimit). */
  limit?: number;
  /** Opaque cursor from the previous page. */
  cursor?: string;
  /**
   * Ask for each key's value digest (kvadm's extension, docs/PROTOCOL.md): the local store
   * computes it, `kvadm serve` sends it; other services ignore the parameter, so callers
   * must handle keys without one.
   */
  digest?: boolean;
}

export interface ListResult {
  keys: KeyInfo[];
  list_complete: boolean;
  /** Present while more keys may follow. */
  cursor?: string;
}

export interface NamespaceInfo {
  name: string;
  /** Live keys (expired rows excluded). */
  keyCount: number;
  /** Bytes of keys, values and metadata of live keys. */
  storedBytes: number;
  /** Rows that have expired but are not swept yet. */
  expiredKeys: number;
  /**
   * When the namespace was created, ISO 8601; null when the store cannot tell. Azion's
   * backend always gives it (from Azion's API); the local store only when asked with
   * `{ times: true }` (its file's birth time), so `kvadm ns info` and the library's answer
   * for a local store stay as they were. Absent when not given.
   */
  createdAt?: string | null;
  /** When the namespace's data was last written, ISO 8601; null when unknown. Given as `createdAt` is. */
  lastModified?: string | null;
}

export interface NamespaceInfoOptions {
  /**
   * Also give `createdAt` and `lastModified` where the store can read them (the local store:
   * its file's times). Azion's namespace API stand-in (`kvadm azion emulate`) asks for them.
   */
  times?: boolean;
}

export interface SweepResult {
  /** Rows deleted. */
  deleted: number;
  /** The earliest expiry still pending (unix seconds), or null when none: a server can sleep until then. */
  nextExpiration: number | null;
}

export interface BulkWriteResult {
  written: number;
  /** Keys the backend could not write (a remote may refuse some); empty on success. */
  unsuccessfulKeys: string[];
}

/**
 * A bulk write session. On the local store everything written through one session
 * commits atomically at `commit()` and disappears on `abort()` (or a crash); a remote
 * backend writes batches as they come and `abort()` cannot undo them.
 */
export interface BulkWriter {
  /** True when abort() really undoes every write of the session. */
  readonly atomic: boolean;
  /**
   * True when the writes go to a remote store's staged session (kvadm serve): atomic like the
   * local store's, but a round trip per write() (callers keep several in flight), and a
   * failure means nothing was written rather than "these were".
   */
  readonly session?: boolean;
  write(entries: StoredEntry[]): Promise<BulkWriteResult>;
  /**
   * Delete keys as part of the session (sync --delete): on the local store inside the same
   * transaction as the writes. Resolves to how many live keys were deleted.
   */
  remove?(keys: string[]): Promise<number>;
  commit(): Promise<void>;
  abort(): Promise<void>;
}

export interface BulkWriterOptions {
  /**
   * Ask a remote store for a staged session, whose writes are applied only at commit() and
   * undone by abort() (kvadm serve's bulk sessions, docs/PROTOCOL.md): the writer is then
   * atomic. A store without sessions gives its usual writer; the local store's writers are
   * atomic anyway.
   */
  staged?: boolean;
  /**
   * The local store: a connection of the writer's own, so this backend's other reads do not
   * see the session's writes before commit() (kvadm serve keeps a session open across
   * requests while it answers others). Other backends ignore it.
   */
  isolated?: boolean;
}

/**
 * One side's entry in a walk over two namespaces (diff, sync); `value` is null when it was
 * not read (--keys-only, or a value a join found equal to the other side's).
 */
export interface SideEntry {
  key: string;
  value: Uint8Array | null;
  expiration: number | null;
  metadata: string | null;
  /** The value's digest (src/lib/digest.ts) when the store gave one instead of the value. */
  digest?: string;
}

/**
 * A listed key as one side of a comparison: no value (its digest when the listing gave one),
 * metadata as the compact JSON text stored entries carry. Listings from a remote service are
 * JSON, so an expiration that is not a number counts as none.
 */
export function sideEntryOfKeyInfo(info: KeyInfo): SideEntry {
  const entry: SideEntry = {
    key: info.name,
    value: null,
    expiration: typeof info.expiration === 'number' ? info.expiration : null,
    metadata: info.metadata === undefined || info.metadata === null ? null : JSON.stringify(info.metadata),
  };
  if (typeof info.digest === 'string') entry.digest = info.digest;
  return entry;
}

/** One key of a walk over two namespaces in key order: in SRC, in DST, or both. */
export interface KeyPair {
  key: string;
  src: SideEntry | null;
  dst: SideEntry | null;
  /**
   * Set when the values were compared without both being read: by the store itself (a join:
   * then `dst.value` is not read, and `src.value` only for keys whose rows are not identical,
   * those a sync writes), or by digest (a remote side read through `scanDigests`).
   */
  valuesEqual?: boolean;
}

export interface JoinScanOptions {
  prefix?: string | undefined;
  /** Compare values (and return SRC's where the rows differ); false for listings only. */
  values: boolean;
  /** Pairs per batch (default 1000). */
  batchSize?: number;
}

export interface Backend {
  /** A short name for messages: "local" or "http". */
  readonly kind: string;
  /** Where the store lives (a directory, a URL): for messages. */
  readonly location: string;

  listNamespaces(): Promise<string[]>;
  /** Throws NamespaceExistsError. */
  createNamespace(name: string): Promise<void>;
  namespaceExists(name: string): Promise<boolean>;
  /** Throws NamespaceNotFoundError. */
  namespaceInfo(name: string, options?: NamespaceInfoOptions): Promise<NamespaceInfo>;
  /** Throws NamespaceNotFoundError. */
  deleteNamespace(name: string): Promise<void>;
  /** Throws NamespaceNotFoundError, NamespaceExistsError. */
  renameNamespace(from: string, to: string): Promise<void>;

  /** null when missing or expired. Throws NamespaceNotFoundError. */
  get(namespace: string, key: string): Promise<StoredEntry | null>;
  /** Entries in the order of `keys`; null where missing or expired. */
  getMany(namespace: string, keys: string[]): Promise<(StoredEntry | null)[]>;
  put(namespace: string, entry: StoredEntry): Promise<void>;
  /** True when the key existed (and was live). */
  delete(namespace: string, key: string): Promise<boolean>;
  /** Number of live keys deleted. */
  deleteMany(namespace: string, keys: string[]): Promise<number>;
  list(namespace: string, options: ListOptions): Promise<ListResult>;
  /**
   * Every live entry (under `prefix` when given) with its value, in key order, in
   * batches: what export reads. Pages internally, so memory stays bounded. A batch's values
   * may be views of one buffer (the local store's entryPage): a caller that keeps a few
   * entries past their batch copies their values (as sync does), or it keeps the whole batch.
   */
  scan(namespace: string, options?: { prefix?: string; batchSize?: number }): AsyncIterable<StoredEntry[]>;
  /**
   * Optional: this store's `namespace` (SRC) and `other`'s `otherNamespace` (DST) walked together
   * in key order, when this backend can read `other`'s storage itself — two local stores: one
   * SQLite join instead of two scans whose values are copied out only to be compared, so keys
   * that match cost no copies. Null when it cannot; callers then merge two scans.
   */
  joinScan?(namespace: string, other: Backend, otherNamespace: string, options: JoinScanOptions): AsyncIterable<KeyPair[]> | null;
  /**
   * Optional: every live entry in key order, each with its value's digest in place of the
   * value where the store can give one (kvadm serve's `digest=true` listing) and with its
   * value where it cannot: what diff and sync read from a remote side, so comparing moves
   * no value whose digest matches.
   */
  scanDigests?(namespace: string, options?: { prefix?: string; batchSize?: number }): AsyncIterable<SideEntry[]>;
  /** Start a bulk write into an existing namespace. */
  bulkWriter(namespace: string, options?: BulkWriterOptions): Promise<BulkWriter>;
  /** Physically remove expired rows (bounded by `maxRows` when given). */
  sweep(namespace: string, maxRows?: number): Promise<SweepResult>;
  /** Optional: move work the store deferred (the local store's WAL fold) to now; a server calls it when idle. */
  checkpoint?(): Promise<void>;
  close(): Promise<void>;
}

/** Milliseconds since the epoch; injected so tests can move time. */
export type Clock = () => number;
export const systemClock: Clock = () => Date.now();
