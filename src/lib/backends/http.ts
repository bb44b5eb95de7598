/**
 * The HTTP backend: the Backend interface over the docs/PROTOCOL.md routes (Cloudflare
 * Workers KV REST v4 shape), so every command works against `kvadm serve` or a compatible
 * service. Its parts, one job each:
 *
 * - http-client.ts: the protocol's client (Bearer token, envelope, wire failures → errors) on
 *   http-transport.ts (keep-alive connections, timeouts, retries; shared with the Azion
 *   client), with http-network-errors.ts naming socket and TLS failures;
 * - http-namespaces.ts: a namespace's id by name, and the namespace failures' one mapping;
 * - http-keys.ts: the key routes (values, metadata, list, bulk get / write / delete);
 * - http-bulk-sessions.ts: kvadm serve's staged bulk writes (all or nothing), where the service has them;
 * - http-encoding.ts: the wire encoding of bulk writes and of a value with metadata.
 */
import type {
  Backend,
  BulkWriter,
  BulkWriterOptions,
  Clock,
  ListOptions,
  ListResult,
  NamespaceInfo,
  SideEntry,
  StoredEntry,
  SweepResult,
} from './backend.js';
import { systemClock } from './backend.js';
import { HttpClient, type HttpClientOptions } from './http-client.js';
import { KeyRoutes } from './http-keys.js';
import { openStagedWriter } from './http-bulk-sessions.js';
import { Namespaces, type WireNamespace, isMissingNamespace } from './http-namespaces.js';
import { NamespaceNotFoundError } from '../errors.js';
// The leaf, not config/index.js: `kv get` on the http backend loads this file (see config/index.ts).
import { DEFAULT_ACCOUNT } from '../config/settings.js';
import { LIMITS } from '../limits.js';

export interface HttpBackendOptions extends HttpClientOptions {
  /** Account id in the URLs (default "local"; `kvadm serve` accepts any). */
  account?: string | undefined;
  /** Items per bulk write request, at most 10,000 (default 5,000). */
  bulkBatchItems?: number;
  /** Bulk requests in flight at once (default 4). */
  bulkConcurrency?: number;
  /** The writer's clock, for how expirations travel (default: the system clock). */
  clock?: Clock;
}

interface WireNamespaceStats {
  key_count: number;
  stored_bytes: number;
  expired_keys: number;
}

export class HttpBackend implements Backend {
  readonly kind = 'http';
  readonly location: string;
  private readonly client: HttpClient;
  private readonly namespaces: Namespaces;
  private readonly keys: KeyRoutes;
  /** Whether the service has staged bulk sessions; undefined until a staged writer was asked for. */
  private stagedWrites: boolean | undefined;

  constructor(options: HttpBackendOptions) {
    this.client = new HttpClient(options);
    this.location = this.client.location;
    this.namespaces = new Namespaces(this.client, options.account ?? DEFAULT_ACCOUNT);
    const clock = options.clock ?? options.testClock ?? systemClock;
    this.keys = new KeyRoutes(this.client, this.namespaces, {
      bulkBatchItems: Math.min(options.bulkBatchItems ?? 5000, LIMITS.bulkMaxItems),
      bulkConcurrency: Math.max(1, options.bulkConcurrency ?? 4),
      retries: options.retries ?? 4,
      nowSeconds: () => Math.floor(clock() / 1000),
    });
  }

  // ---- namespaces ----

  async listNamespaces(): Promise<string[]> {
    const all = await this.namespaces.fetchAll();
    return all.map((ns) => ns.title).sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
  }

  async createNamespace(name: string): Promise<void> {
    const response = await this.client.request('POST', this.namespaces.root, { body: JSON.stringify({ title: name }), idempotent: false });
    this.namespaces.throwIfExists(response, name);
    const created = this.client.result<WireNamespace>(response);
    this.namespaces.remember(name, created?.id ?? name);
  }

  async namespaceExists(name: string): Promise<boolean> {
    try {
      await this.namespaces.idOf(name);
      return true;
    } catch (error) {
      if (error instanceof NamespaceNotFoundError) return false;
      throw error;
    }
  }

  async namespaceInfo(name: string): Promise<NamespaceInfo> {
    const ns = await this.namespaces.call<WireNamespace & { stats?: WireNamespaceStats }>({
      namespace: name,
      method: 'GET',
      query: { stats: 'true' },
    });
    if (ns?.stats) {
      return { name, keyCount: ns.stats.key_count, storedBytes: ns.stats.stored_bytes, expiredKeys: ns.stats.expired_keys };
    }
    // A service without kvadm's stats: count by listing; values are not fetched, so stored
    // bytes cover keys and metadata only.
    let keyCount = 0;
    let storedBytes = 0;
    let cursor: string | undefined;
    do {
      const page = await this.list(name, cursor ? { cursor } : {});
      keyCount += page.keys.length;
      for (const key of page.keys) {
        storedBytes += Buffer.byteLength(key.name) + (key.metadata === undefined ? 0 : Buffer.byteLength(JSON.stringify(key.metadata)));
      }
      cursor = page.list_complete ? undefined : page.cursor;
    } while (cursor);
    return { name, keyCount, storedBytes, expiredKeys: 0 };
  }

  async deleteNamespace(name: string): Promise<void> {
    await this.namespaces.call({ namespace: name, method: 'DELETE' });
    this.namespaces.forget(name);
  }

  async renameNamespace(from: string, to: string): Promise<void> {
    if (from === to) return;
    const id = await this.namespaces.idOf(from);
    const response = await this.client.request('PUT', this.namespaces.path(id), { body: JSON.stringify({ title: to }) });
    this.namespaces.throwIfExists(response, to);
    const renamed = this.namespaces.result<WireNamespace>(response, from);
    this.namespaces.forget(from);
    // kvadm's ids are names, so the id changes with the title; Cloudflare's stay put.
    this.namespaces.remember(to, renamed?.id ?? id);
  }

  async sweep(namespace: string): Promise<SweepResult> {
    const id = await this.namespaces.idOf(namespace);
    const response = await this.client.request('POST', `${this.namespaces.path(id)}/sweep`);
    // A service without kvadm's sweep route expires keys by itself.
    if (response.status === 404 && !isMissingNamespace(this.client, response)) return { deleted: 0, nextExpiration: null };
    const result = this.namespaces.result<{ deleted: number; next_expiration: number | null }>(response, namespace);
    return { deleted: result?.deleted ?? 0, nextExpiration: result?.next_expiration ?? null };
  }

  // ---- keys ----

  get(namespace: string, key: string): Promise<StoredEntry | null> {
    return this.keys.get(namespace, key);
  }

  getMany(namespace: string, keys: string[]): Promise<(StoredEntry | null)[]> {
    return this.keys.getMany(namespace, keys);
  }

  put(namespace: string, entry: StoredEntry): Promise<void> {
    return this.keys.put(namespace, entry);
  }

  delete(namespace: string, key: string): Promise<boolean> {
    return this.keys.delete(namespace, key);
  }

  deleteMany(namespace: string, keys: string[]): Promise<number> {
    return this.keys.deleteMany(namespace, keys);
  }

  list(namespace: string, options: ListOptions): Promise<ListResult> {
    return this.keys.list(namespace, options);
  }

  scan(namespace: string, options: { prefix?: string; batchSize?: number } = {}): AsyncIterable<StoredEntry[]> {
    return this.keys.scan(namespace, options);
  }

  scanDigests(namespace: string, options: { prefix?: string; batchSize?: number } = {}): AsyncIterable<SideEntry[]> {
    return this.keys.scanDigests(namespace, options);
  }

  async bulkWriter(namespace: string, options: BulkWriterOptions = {}): Promise<BulkWriter> {
    const id = await this.namespaces.idOf(namespace);
    if (options.staged && this.stagedWrites !== false) {
      const staged = await openStagedWriter(this.client, this.namespaces, namespace, id, {
        write: (entries, session) => this.keys.writeBulk(namespace, id, entries, session),
        remove: (keys, session) => this.keys.deleteMany(namespace, keys, session),
      });
      this.stagedWrites = staged !== null;
      if (staged) return staged;
    }
    return {
      atomic: false,
      write: (entries) => this.keys.writeBulk(namespace, id, entries),
      remove: (keys) => this.keys.deleteMany(namespace, keys),
      async commit() {},
      async abort() {},
    };
  }

  async close(): Promise<void> {
    await this.client.close();
  }
}
