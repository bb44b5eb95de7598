/**
 * The KV client: the runtime API of Azion's KV Store (modelled on Cloudflare Workers KV)
 * plus what an admin tool needs. It validates every input against limits.ts, then calls
 * a backend; it never touches storage itself.
 *
 * Names: the runtime API keeps the seed's names (KV.open and KV.delete(name) for a namespace;
 * put, get, getWithMetadata, delete(key) and list for keys), and KV.create completes the
 * open/delete pair. The other namespace operations, which only an admin tool has, say
 * "namespace" in their name (KV.listNamespaces, KV.renameNamespace, kv.namespaceInfo), so
 * none reads like the key operation of the same verb (kv.list lists keys).
 *
 * @example
 * const kv = await KV.open('users', { backend });
 * await kv.put('user:1', { name: 'Ada' }, { expirationTtl: 3600, metadata: { v: 1 } });
 * const user = await kv.get('user:1', 'json');
 */
import type { Backend, Clock, KeyInfo, ListResult, NamespaceInfo, StoredEntry, SweepResult } from './backends/backend.js';
import { systemClock } from './backends/backend.js';
import { DEFAULT_NAMESPACE } from './limits.js';
import { NamespaceNotFoundError } from './errors.js';
import {
  resolveExpiration,
  serializeMetadata,
  validateCacheTtl,
  validateKey,
  listLimitMax,
  validateListLimit,
  validateNamespaceName,
  validatePrefix,
} from './validation.js';
import { type PutValue, type SyncPutValue, type ValueType, bytesToValue, isStreamValue, valueToBytes, valueToBytesSync } from './values.js';
import { LocalBackend } from './backends/local.js';
// The leaf, not config/index.js: this file is on the fast path, which loads no module it does not use (see config/index.ts).
import { defaultDataDir } from './config/paths.js';

export type { PutValue, SyncPutValue, ValueType } from './values.js';
export type { KeyInfo, ListResult, NamespaceInfo } from './backends/backend.js';

export interface KVOptions {
  /** Where data lives. Defaults to the local store in the per-user data folder. */
  backend?: Backend;
  /** Injected clock (ms since epoch) for expiry decisions; tests move it. */
  clock?: Clock;
}

export interface PutOptions {
  /** Absolute expiry in unix seconds, at least 60 s ahead. */
  expiration?: number;
  /** Seconds to live, at least 60; wins over `expiration`. */
  expirationTtl?: number;
  /** JSON-serialisable, at most 1024 bytes serialised. */
  metadata?: unknown;
}

export interface GetOptions {
  /** Seconds an edge may cache the read (at least 60). Validated; the local store is always fresh. */
  cacheTtl?: number;
}

export interface ListKeysOptions {
  prefix?: string;
  /** 1..1000, default 1000. */
  limit?: number;
  cursor?: string;
  /** Each key with its value's digest (kvadm serve's `digest=true`; see ListOptions.digest). */
  digest?: boolean;
}

export interface ValueWithMetadata<V, M = unknown> {
  value: V | null;
  metadata: M | null;
}

/** A stored entry in admin form: bytes plus parsed metadata and absolute expiration. */
export interface KVEntry {
  key: string;
  value: Uint8Array;
  metadata: unknown;
  expiration: number | null;
}

type ValueOf<T extends ValueType> = T extends 'text'
  ? string
  : T extends 'json'
    ? unknown
    : T extends 'arrayBuffer'
      ? ArrayBuffer
      : ReadableStream<Uint8Array>;

let sharedDefaultBackend: Backend | undefined;
function defaultBackend(): Backend {
  sharedDefaultBackend ??= new LocalBackend({ dataDir: defaultDataDir() });
  return sharedDefaultBackend;
}

export class KV {
  readonly name: string;
  readonly backend: Backend;
  /** The clock expirations are decided by (ms since the epoch). */
  readonly clock: Clock;

  /** A handle on a namespace (the default one when no name is given); it is not checked to exist. */
  constructor(name: string = DEFAULT_NAMESPACE, options: KVOptions = {}) {
    this.name = validateNamespaceName(name);
    this.backend = options.backend ?? defaultBackend();
    this.clock = options.clock ?? systemClock;
  }

  /** A handle on an existing namespace; throws NamespaceNotFoundError. */
  static async open(name: string, options: KVOptions = {}): Promise<KV> {
    const kv = new KV(name, options);
    if (!(await kv.backend.namespaceExists(kv.name))) throw new NamespaceNotFoundError(kv.name);
    return kv;
  }

  /** Create a namespace; throws NamespaceExistsError. */
  static async create(name: string, options: KVOptions = {}): Promise<KV> {
    const kv = new KV(name, options);
    await kv.backend.createNamespace(kv.name);
    return kv;
  }

  /** Delete a namespace and every key in it; throws NamespaceNotFoundError. */
  static async delete(name: string, options: KVOptions = {}): Promise<void> {
    const backend = options.backend ?? defaultBackend();
    await backend.deleteNamespace(validateNamespaceName(name));
  }

  /** Rename a namespace; throws NamespaceNotFoundError, or NamespaceExistsError when `to` is taken. */
  static async renameNamespace(from: string, to: string, options: KVOptions = {}): Promise<KV> {
    const backend = options.backend ?? defaultBackend();
    await backend.renameNamespace(validateNamespaceName(from), validateNamespaceName(to));
    return new KV(to, options);
  }

  /** Names of every namespace, in byte order (kv.list() lists the keys of one). */
  static async listNamespaces(options: KVOptions = {}): Promise<string[]> {
    return (options.backend ?? defaultBackend()).listNamespaces();
  }

  async put(key: string, value: PutValue, options: PutOptions = {}): Promise<void> {
    const entry = await this.prepareEntry(key, value, options);
    await this.backend.put(this.name, entry);
  }

  /** Write an entry made by prepareEntry (a caller that read the value itself). */
  async putEntry(entry: StoredEntry): Promise<void> {
    await this.backend.put(this.name, entry);
  }

  /**
   * Validate one entry for writing and convert it to its stored form: the one path
   * every write (put, import, the server) goes through.
   */
  async prepareEntry(key: string, value: PutValue, options: PutOptions = {}): Promise<StoredEntry> {
    if (!isStreamValue(value)) return prepareStoredEntry(key, value, options, this.clock());
    // Check everything else before reading a possibly large stream.
    const entry = prepareStoredEntry(key, EMPTY_VALUE, options, this.clock());
    entry.value = await valueToBytes(value, key);
    return entry;
  }

  /** prepareEntry for values that need no reading (bulk import: no promise per entry). */
  prepareEntrySync(key: string, value: SyncPutValue, options: PutOptions = {}, nowMs: number = this.clock()): StoredEntry {
    return prepareStoredEntry(key, value, options, nowMs);
  }

  get(key: string, options?: GetOptions): Promise<string | null>;
  get<T extends ValueType>(key: string, type: T, options?: GetOptions): Promise<ValueOf<T> | null>;
  async get(key: string, typeOrOptions?: ValueType | GetOptions, maybeOptions?: GetOptions): Promise<unknown> {
    const [type, options] = splitTypeAndOptions(typeOrOptions, maybeOptions);
    const entry = await this.readEntry(key, options);
    return entry === null ? null : bytesToValue(entry.value, type, key);
  }

  getWithMetadata<M = unknown>(key: string, options?: GetOptions): Promise<ValueWithMetadata<string, M>>;
  getWithMetadata<T extends ValueType, M = unknown>(key: string, type: T, options?: GetOptions): Promise<ValueWithMetadata<ValueOf<T>, M>>;
  async getWithMetadata(
    key: string,
    typeOrOptions?: ValueType | GetOptions,
    maybeOptions?: GetOptions,
  ): Promise<ValueWithMetadata<unknown>> {
    const [type, options] = splitTypeAndOptions(typeOrOptions, maybeOptions);
    const entry = await this.readEntry(key, options);
    if (entry === null) return { value: null, metadata: null };
    return {
      value: bytesToValue(entry.value, type, key),
      metadata: entry.metadata === null ? null : JSON.parse(entry.metadata),
    };
  }

  /** The whole entry (bytes, metadata, expiration), or null when missing or expired. */
  async getEntry(key: string, options: GetOptions = {}): Promise<KVEntry | null> {
    const entry = await this.readEntry(key, options);
    return entry === null ? null : toKVEntry(entry);
  }

  /** Whole entries of many keys, in the order given; null where missing or expired. */
  async getEntries(keys: string[]): Promise<(KVEntry | null)[]> {
    for (const key of keys) validateKey(key);
    const entries = await this.backend.getMany(this.name, keys);
    return entries.map((entry) => (entry === null ? null : toKVEntry(entry)));
  }

  private async readEntry(key: string, options: GetOptions): Promise<StoredEntry | null> {
    validateKey(key);
    if (options.cacheTtl !== undefined) validateCacheTtl(options.cacheTtl);
    return this.backend.get(this.name, key);
  }

  /** Delete a key; resolves to whether it existed. Deleting a missing key is not an error. */
  async delete(key: string): Promise<boolean> {
    validateKey(key);
    return this.backend.delete(this.name, key);
  }

  /** Delete many keys at once; resolves to how many existed. */
  async deleteMany(keys: string[]): Promise<number> {
    for (const key of keys) validateKey(key);
    return this.backend.deleteMany(this.name, keys);
  }

  /** One page of keys in byte order. Loop on `cursor` until `list_complete`. */
  async list(options: ListKeysOptions = {}): Promise<ListResult> {
    const limit = options.limit === undefined ? undefined : validateListLimit(options.limit, listLimitMax(Boolean(options.digest)));
    if (options.prefix) validatePrefix(options.prefix);
    return this.backend.list(this.name, {
      ...(options.prefix ? { prefix: options.prefix } : {}),
      ...(limit === undefined ? {} : { limit }),
      ...(options.cursor ? { cursor: options.cursor } : {}),
      ...(options.digest ? { digest: true } : {}),
    });
  }

  /** Every key under `prefix`, page by page. */
  async *listAll(options: { prefix?: string; pageSize?: number } = {}): AsyncIterable<KeyInfo[]> {
    let cursor: string | undefined;
    for (;;) {
      const page = await this.list({
        ...(options.prefix ? { prefix: options.prefix } : {}),
        limit: options.pageSize ?? 1000,
        ...(cursor ? { cursor } : {}),
      });
      if (page.keys.length > 0) yield page.keys;
      if (page.list_complete || !page.cursor) return;
      cursor = page.cursor;
    }
  }

  /** Every live entry (under `prefix`) with its value, in key order, in batches: what export reads. */
  scan(options: { prefix?: string; batchSize?: number } = {}): AsyncIterable<StoredEntry[]> {
    return this.backend.scan(this.name, options);
  }

  /** Key count, stored bytes and expired keys of this namespace. */
  async namespaceInfo(): Promise<NamespaceInfo> {
    return this.backend.namespaceInfo(this.name);
  }

  /** Remove expired rows now; reports how many and when the next key expires. */
  async sweep(): Promise<SweepResult> {
    return this.backend.sweep(this.name);
  }
}

const EMPTY_VALUE = new Uint8Array(0);

/**
 * The validation every write goes through (limits.ts via validation.ts): key, metadata,
 * expiration, then the value's bytes. Pure and synchronous; `nowMs` decides expirations.
 */
function prepareStoredEntry(key: string, value: SyncPutValue, options: PutOptions, nowMs: number): StoredEntry {
  validateKey(key);
  const metadata = serializeMetadata(options.metadata, key);
  const expiration = resolveExpiration(options, nowMs, key);
  const bytes = valueToBytesSync(value, key);
  const entry: StoredEntry = { key, value: bytes, expiration, metadata };
  // resolveExpiration validated it: a TTL, when given, is what a remote store applies.
  if (options.expirationTtl !== undefined && options.expirationTtl !== null) entry.expirationTtl = Number(options.expirationTtl);
  return entry;
}

function toKVEntry(entry: StoredEntry): KVEntry {
  return {
    key: entry.key,
    value: entry.value,
    metadata: entry.metadata === null ? null : JSON.parse(entry.metadata),
    expiration: entry.expiration,
  };
}

function splitTypeAndOptions(
  typeOrOptions: ValueType | GetOptions | undefined,
  maybeOptions: GetOptions | undefined,
): [ValueType, GetOptions] {
  if (typeof typeOrOptions === 'string') return [typeOrOptions, maybeOptions ?? {}];
  return ['text', typeOrOptions ?? maybeOptions ?? {}];
}
