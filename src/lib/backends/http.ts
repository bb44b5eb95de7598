/**
 * The HTTP backend: the Backend interface over the PROTOCOL.md routes (Cloudflare Workers
 * KV REST v4 shape), so every command works against `kvadm serve` or a compatible service.
 * Namespaces are named by title; when the service's ids differ (a real Cloudflare
 * account) the id is found by title once and cached.
 *
 * Bulk writes go out in requests of at most `bulkBatchItems` items and 100 MB (encoded
 * by http-bulk-body.ts), a few in flight; keys a server reports unsuccessful (the per-key write limit) are sent again
 * with backoff and reported if they still fail. Reads of many keys use bulk get (≤ 100
 * keys); a text value containing U+FFFD may be bytes that are not UTF-8, which bulk get
 * cannot carry, so such values are fetched again, raw, one by one.
 */
import { randomBytes } from 'node:crypto';
import type {
  Backend,
  BulkWriteResult,
  BulkWriter,
  Clock,
  KeyInfo,
  ListOptions,
  ListResult,
  NamespaceInfo,
  StoredEntry,
  SweepResult,
} from './backend.js';
import { systemClock } from './backend.js';
import { type BulkRequest, bulkRequests, wireExpiration } from './http-bulk-body.js';
import { HttpClient, type HttpClientOptions, type WireResponse, parseEnvelope } from './http-client.js';
import { Semaphore, mapLimit } from '../concurrency.js';
import { NamespaceExistsError, NamespaceNotFoundError } from '../errors.js';
import { DEFAULT_ACCOUNT } from '../config/index.js';
import { LIMITS } from '../limits.js';
import { WIRE_CODES } from '../wire-codes.js';

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

interface WireNamespace {
  id: string;
  title: string;
}

interface BulkGetItem {
  value: unknown;
  metadata?: unknown;
  expiration?: number;
}

const NAMESPACE_PAGE = 100;
const BULK_GET_CONCURRENCY = 4;

export class HttpBackend implements Backend {
  readonly kind = 'http';
  readonly location: string;
  private readonly client: HttpClient;
  private readonly root: string;
  private readonly ids = new Map<string, string>();
  private readonly bulkSlots: Semaphore;
  private readonly bulkBatchItems: number;
  private readonly bulkConcurrency: number;
  private readonly retries: number;
  private readonly clock: Clock;

  constructor(options: HttpBackendOptions) {
    this.client = new HttpClient(options);
    this.location = this.client.location;
    this.root = `/accounts/${encodeURIComponent(options.account ?? DEFAULT_ACCOUNT)}/storage/kv/namespaces`;
    this.bulkConcurrency = Math.max(1, options.bulkConcurrency ?? 4);
    this.bulkSlots = new Semaphore(this.bulkConcurrency);
    this.bulkBatchItems = Math.min(options.bulkBatchItems ?? 5000, LIMITS.bulkMaxItems);
    this.retries = options.retries ?? 4;
    this.clock = options.clock ?? options.testClock ?? systemClock;
  }

  private nowSeconds(): number {
    return Math.floor(this.clock() / 1000);
  }

  // ---- namespaces ----

  async listNamespaces(): Promise<string[]> {
    const all = await this.fetchNamespaces();
    return all.map((ns) => ns.title).sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
  }

  async createNamespace(name: string): Promise<void> {
    const response = await this.client.request('POST', this.root, { body: JSON.stringify({ title: name }), idempotent: false });
    if (response.status === 400 && this.client.failure(response).code === WIRE_CODES.namespaceExists) throw new NamespaceExistsError(name);
    const created = this.client.result<WireNamespace>(response);
    this.ids.set(name, created?.id ?? name);
  }

  async namespaceExists(name: string): Promise<boolean> {
    try {
      await this.idOf(name);
      return true;
    } catch (error) {
      if (error instanceof NamespaceNotFoundError) return false;
      throw error;
    }
  }

  async namespaceInfo(name: string): Promise<NamespaceInfo> {
    const ns = await this.call<WireNamespace & { stats?: { key_count: number; stored_bytes: number; expired_keys: number } }>(
      name,
      'GET',
      '',
      { query: { stats: 'true' } },
    );
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
    await this.call(name, 'DELETE', '');
    this.ids.delete(name);
  }

  async renameNamespace(from: string, to: string): Promise<void> {
    if (from === to) return;
    const id = await this.idOf(from);
    const response = await this.client.request('PUT', this.nsPath(id), { body: JSON.stringify({ title: to }) });
    if (response.status === 400 && this.client.failure(response).code === WIRE_CODES.namespaceExists) throw new NamespaceExistsError(to);
    const renamed = this.nsResult<WireNamespace>(response, from);
    this.ids.delete(from);
    // kvadm's ids are names, so the id changes with the title; Cloudflare's stay put.
    this.ids.set(to, renamed?.id ?? id);
  }

  // ---- keys ----

  async get(namespace: string, key: string): Promise<StoredEntry | null> {
    const id = await this.idOf(namespace);
    const [valueResponse, metadataResponse] = await Promise.all([
      this.client.request('GET', this.keyPath(id, 'values', key)),
      this.client.request('GET', this.keyPath(id, 'metadata', key)),
    ]);
    const bytes = this.valueBytes(valueResponse, namespace);
    if (bytes === null) return null;
    let metadata: string | null = null;
    if (metadataResponse.status === 200) {
      const result = parseEnvelope(metadataResponse.body)?.result;
      metadata = result === null || result === undefined ? null : JSON.stringify(result);
    }
    return { key, value: bytes, expiration: expirationHeader(valueResponse), metadata };
  }

  async getMany(namespace: string, keys: string[]): Promise<(StoredEntry | null)[]> {
    if (keys.length === 0) return [];
    const id = await this.idOf(namespace);
    const results = await mapLimit(chunksOf(keys, LIMITS.bulkGetMaxKeys), BULK_GET_CONCURRENCY, (chunk) =>
      this.bulkGet(namespace, id, chunk),
    );
    return results.flat();
  }

  async put(namespace: string, entry: StoredEntry): Promise<void> {
    const id = await this.idOf(namespace);
    const query = wireExpiration(entry, this.nowSeconds());
    if (entry.metadata === null) {
      await this.call(
        namespace,
        'PUT',
        `/values/${encodeURIComponent(entry.key)}`,
        {
          query,
          body: Buffer.from(entry.value.buffer, entry.value.byteOffset, entry.value.byteLength),
          contentType: 'application/octet-stream',
        },
        id,
      );
      return;
    }
    const form = multipartBody(entry.value, entry.metadata);
    await this.call(namespace, 'PUT', `/values/${encodeURIComponent(entry.key)}`, { query, ...form }, id);
  }

  async delete(namespace: string, key: string): Promise<boolean> {
    const id = await this.idOf(namespace);
    // DELETE succeeds whether or not the key existed; ask first so `kv delete` can say which were missing.
    const probe = await this.client.request('GET', this.keyPath(id, 'metadata', key));
    const existed = probe.status === 200;
    if (!existed) this.valueBytes(probe, namespace);
    await this.call(namespace, 'DELETE', `/values/${encodeURIComponent(key)}`, {}, id);
    return existed;
  }

  async deleteMany(namespace: string, keys: string[]): Promise<number> {
    if (keys.length === 0) return 0;
    const id = await this.idOf(namespace);
    const counts = await mapLimit(chunksOf(keys, LIMITS.bulkMaxItems), 4, async (chunk) => {
      const result = await this.call<{ successful_key_count?: number }>(
        namespace,
        'POST',
        '/bulk/delete',
        { body: JSON.stringify(chunk) },
        id,
      );
      // kvadm serve counts keys that existed; other services may count every key sent.
      return result?.successful_key_count ?? chunk.length;
    });
    return counts.reduce((a, b) => a + b, 0);
  }

  async list(namespace: string, options: ListOptions): Promise<ListResult> {
    const id = await this.idOf(namespace);
    const response = await this.client.request('GET', `${this.nsPath(id)}/keys`, {
      query: { limit: options.limit ?? LIMITS.listMaxLimit, prefix: options.prefix || undefined, cursor: options.cursor || undefined },
    });
    const keys = this.nsResult<KeyInfo[]>(response, namespace) ?? [];
    const cursor = parseEnvelope(response.body)?.result_info?.cursor;
    return typeof cursor === 'string' && cursor !== '' ? { keys, list_complete: false, cursor } : { keys, list_complete: true };
  }

  async *scan(namespace: string, options: { prefix?: string; batchSize?: number } = {}): AsyncIterable<StoredEntry[]> {
    const limit = Math.min(Math.max(options.batchSize ?? LIMITS.listMaxLimit, 1), LIMITS.listMaxLimit);
    const listPage = (cursor?: string) =>
      this.list(namespace, { limit, ...(options.prefix ? { prefix: options.prefix } : {}), ...(cursor ? { cursor } : {}) });
    let pending = listPage();
    for (;;) {
      const page = await pending;
      const more = !page.list_complete && Boolean(page.cursor);
      // List the next page while this one's values load.
      if (more) {
        pending = listPage(page.cursor);
        pending.catch(() => undefined);
      }
      const entries = (
        await this.getMany(
          namespace,
          page.keys.map((k) => k.name),
        )
      ).filter((e): e is StoredEntry => e !== null);
      if (entries.length > 0) yield entries;
      if (!more) return;
    }
  }

  async bulkWriter(namespace: string): Promise<BulkWriter> {
    const id = await this.idOf(namespace);
    return {
      atomic: false,
      write: (entries) => this.writeBulk(namespace, id, entries),
      remove: (keys) => this.deleteMany(namespace, keys),
      async commit() {},
      async abort() {},
    };
  }

  async sweep(namespace: string): Promise<SweepResult> {
    const id = await this.idOf(namespace);
    const response = await this.client.request('POST', `${this.nsPath(id)}/sweep`);
    const failure = response.status === 404 ? this.client.failure(response) : undefined;
    // A service without kvadm's sweep route expires keys by itself.
    if (failure && failure.code !== WIRE_CODES.namespaceNotFound) return { deleted: 0, nextExpiration: null };
    const result = this.nsResult<{ deleted: number; next_expiration: number | null }>(response, namespace);
    return { deleted: result?.deleted ?? 0, nextExpiration: result?.next_expiration ?? null };
  }

  async close(): Promise<void> {
    await this.client.close();
  }

  // ---- helpers ----

  private nsPath(id: string): string {
    return `${this.root}/${encodeURIComponent(id)}`;
  }

  private keyPath(id: string, route: 'values' | 'metadata', key: string): string {
    return `${this.nsPath(id)}/${route}/${encodeURIComponent(key)}`;
  }

  /** The service's id for a namespace name: the name itself on kvadm serve, else found by title. */
  private async idOf(name: string): Promise<string> {
    const cached = this.ids.get(name);
    if (cached !== undefined) return cached;
    const response = await this.client.request('GET', this.nsPath(name));
    if (response.status === 200) {
      const ns = parseEnvelope(response.body)?.result as Partial<WireNamespace> | undefined;
      const id = typeof ns?.id === 'string' ? ns.id : name;
      this.ids.set(name, id);
      return id;
    }
    if (response.status !== 404 && response.status !== 400) throw this.client.error(response);
    // Not an id here: look the name up among the titles.
    await this.fetchNamespaces();
    const id = this.ids.get(name);
    if (id === undefined) throw new NamespaceNotFoundError(name);
    return id;
  }

  /** Every namespace, paging until an empty page; refreshes the title → id cache. */
  private async fetchNamespaces(): Promise<WireNamespace[]> {
    const all: WireNamespace[] = [];
    for (let page = 1; ; page++) {
      const batch = await this.client.json<WireNamespace[]>('GET', this.root, { query: { page, per_page: NAMESPACE_PAGE } });
      if (!Array.isArray(batch) || batch.length === 0) break;
      all.push(...batch);
      if (batch.length < NAMESPACE_PAGE) break;
    }
    for (const ns of all) this.ids.set(ns.title, ns.id);
    return all;
  }

  /** A request on a namespace's route; an unknown namespace becomes NamespaceNotFoundError. */
  private async call<T>(
    namespace: string,
    method: string,
    subPath: string,
    options: Parameters<HttpClient['request']>[2] = {},
    knownId?: string,
  ): Promise<T | null> {
    const id = knownId ?? (await this.idOf(namespace));
    const response = await this.client.request(method, this.nsPath(id) + subPath, options);
    return this.nsResult<T>(response, namespace);
  }

  private nsResult<T>(response: WireResponse, namespace: string): T | null {
    if (response.status === 404 && this.client.failure(response).code === WIRE_CODES.namespaceNotFound) {
      this.ids.delete(namespace);
      throw new NamespaceNotFoundError(namespace);
    }
    return this.client.result<T>(response);
  }

  /** The bytes of a raw value read; null when the key is missing (404 with 10009). */
  private valueBytes(response: WireResponse, namespace: string): Buffer | null {
    if (response.status === 200) return response.body;
    if (response.status === 404) {
      const { code } = this.client.failure(response);
      if (code === WIRE_CODES.namespaceNotFound) {
        this.ids.delete(namespace);
        throw new NamespaceNotFoundError(namespace);
      }
      if (code === WIRE_CODES.keyNotFound || code === undefined) return null;
    }
    throw this.client.error(response);
  }

  private async bulkGet(namespace: string, id: string, keys: string[]): Promise<(StoredEntry | null)[]> {
    const result = await this.call<{ values?: Record<string, BulkGetItem | null> }>(
      namespace,
      'POST',
      '/bulk/get',
      { body: JSON.stringify({ keys, type: 'text', withMetadata: true }) },
      id,
    );
    const values = result?.values ?? {};
    return Promise.all(
      keys.map(async (key): Promise<StoredEntry | null> => {
        const item = Object.hasOwn(values, key) ? values[key] : null;
        if (item === null || item === undefined || typeof item.value !== 'string') return null;
        let bytes: Buffer | null = Buffer.from(item.value, 'utf8');
        if (item.value.includes('\uFFFD')) {
          // Possibly bytes that are not UTF-8, replaced in transit: read them raw.
          bytes = this.valueBytes(await this.client.request('GET', this.keyPath(id, 'values', key)), namespace);
          if (bytes === null) return null;
        }
        return {
          key,
          value: bytes,
          expiration: typeof item.expiration === 'number' ? item.expiration : null,
          metadata: item.metadata === null || item.metadata === undefined ? null : JSON.stringify(item.metadata),
        };
      }),
    );
  }

  private async writeBulk(namespace: string, id: string, entries: StoredEntry[]): Promise<BulkWriteResult> {
    // One request for a write() that fits (the import engine sizes its writes to fit and keeps
    // several in flight itself), so a failure loses no count of what the server acknowledged.
    const requests = bulkRequests(entries, this.bulkBatchItems, this.nowSeconds());
    const failed = await Promise.all(requests.map((request) => this.bulkSlots.run(() => this.sendBulk(namespace, id, request))));
    const unsuccessfulKeys = failed.flat();
    return { written: entries.length - unsuccessfulKeys.length, unsuccessfulKeys };
  }

  /** One bulk request; keys the server refused are sent again with backoff. Returns those that never went in. */
  private async sendBulk(namespace: string, id: string, request: BulkRequest): Promise<string[]> {
    let pending = request;
    for (let round = 0; ; round++) {
      const result = await this.call<{ unsuccessful_keys?: unknown }>(namespace, 'PUT', '/bulk', { body: pending.body }, id);
      const refused = Array.isArray(result?.unsuccessful_keys) ? (result.unsuccessful_keys as unknown[]).map(String) : [];
      if (refused.length === 0) return [];
      if (round >= this.retries) return refused;
      await this.client.sleepBackoff(round);
      const again = new Set(refused);
      // Fewer entries than a request that fitted: they fit one request again.
      [pending] = bulkRequests(
        pending.entries.filter((entry) => again.has(entry.key)),
        this.bulkBatchItems,
        this.nowSeconds(),
      ) as [BulkRequest];
    }
  }
}

function chunksOf<T>(items: T[], size: number): T[][] {
  const chunks: T[][] = [];
  for (let i = 0; i < items.length; i += size) chunks.push(items.slice(i, i + size));
  return chunks;
}

function expirationHeader(response: WireResponse): number | null {
  const header = response.headers.expiration;
  const value = Array.isArray(header) ? header[0] : header;
  return value !== undefined && /^\d+$/.test(value) ? Number(value) : null;
}

/** A multipart/form-data body with the value's bytes and the metadata JSON. */
function multipartBody(value: Uint8Array, metadata: string): { body: Buffer; contentType: string } {
  const boundary = `kvadm-${randomBytes(16).toString('hex')}`;
  const body = Buffer.concat([
    Buffer.from(
      `--${boundary}\r\nContent-Disposition: form-data; name="value"; filename="value"\r\nContent-Type: application/octet-stream\r\n\r\n`,
    ),
    value,
    Buffer.from(`\r\n--${boundary}\r\nContent-Disposition: form-data; name="metadata"\r\n\r\n${metadata}\r\n--${boundary}--\r\n`),
  ]);
  return { body, contentType: `multipart/form-data; boundary=${boundary}` };
}
