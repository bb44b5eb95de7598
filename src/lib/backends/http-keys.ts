/**
 * The key routes of docs/PROTOCOL.md: values, metadata, list, bulk get, bulk write and
 * bulk delete, for one HTTP backend.
 *
 * Bulk writes go out in requests of at most `bulkBatchItems` items and 100 MB (encoded by
 * http-encoding.ts), a few in flight; keys a server reports unsuccessful (the per-key
 * write limit) are sent again with backoff and reported if they still fail. Reads of many
 * keys use bulk get (≤ 100 keys); a text value containing U+FFFD may be bytes that are not
 * UTF-8, which bulk get cannot carry, so such values are fetched again, raw, one by one.
 */
import {
  type BulkWriteResult,
  type KeyInfo,
  type ListOptions,
  type ListResult,
  type SideEntry,
  type StoredEntry,
  sideEntryOfKeyInfo,
} from './backend.js';
import { type BulkRequest, bulkRequests, multipartBody, wireExpiration } from './http-encoding.js';
import { type HttpClient, type WireResponse, parseEnvelope } from './http-client.js';
import { type WireSession, sessionQuery } from './http-bulk-sessions.js';
import type { Namespaces } from './http-namespaces.js';
import { Semaphore, mapLimit } from '../concurrency.js';
import { ValidationError } from '../errors.js';
import { LIMITS } from '../limits.js';
import { WIRE_CODES } from '../wire-codes.js';

export interface KeyRoutesOptions {
  /** Items per bulk write request, at most the protocol's 10,000. */
  bulkBatchItems: number;
  /** Bulk write requests in flight at once. */
  bulkConcurrency: number;
  /** Rounds of resending keys a server refused for now. */
  retries: number;
  /** The writer's clock in whole seconds, for how expirations travel. */
  nowSeconds: () => number;
}

interface BulkGetItem {
  value: unknown;
  metadata?: unknown;
  expiration?: number;
}

const BULK_GET_CONCURRENCY = 4;
const BULK_DELETE_CONCURRENCY = 4;

export class KeyRoutes {
  private readonly bulkSlots: Semaphore;

  constructor(
    private readonly client: HttpClient,
    private readonly namespaces: Namespaces,
    private readonly options: KeyRoutesOptions,
  ) {
    this.bulkSlots = new Semaphore(options.bulkConcurrency);
  }

  async get(namespace: string, key: string): Promise<StoredEntry | null> {
    const id = await this.namespaces.idOf(namespace);
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
    const id = await this.namespaces.idOf(namespace);
    const results = await mapLimit(batchesOf(keys, LIMITS.bulkGetMaxKeys), BULK_GET_CONCURRENCY, (batch) =>
      this.bulkGet(namespace, id, batch),
    );
    return results.flat();
  }

  async put(namespace: string, entry: StoredEntry): Promise<void> {
    const id = await this.namespaces.idOf(namespace);
    const query = wireExpiration(entry, this.options.nowSeconds());
    const path = `/values/${encodeURIComponent(entry.key)}`;
    const encoded =
      entry.metadata === null
        ? {
            body: Buffer.from(entry.value.buffer, entry.value.byteOffset, entry.value.byteLength),
            contentType: 'application/octet-stream',
          }
        : multipartBody(entry.value, entry.metadata);
    await this.namespaces.call({ namespace, id, method: 'PUT', path, query, ...encoded });
  }

  async delete(namespace: string, key: string): Promise<boolean> {
    const id = await this.namespaces.idOf(namespace);
    // DELETE succeeds whether or not the key existed; ask first so `kv delete` can say which were missing.
    const probe = await this.client.request('GET', this.keyPath(id, 'metadata', key));
    const existed = probe.status === 200;
    if (!existed) this.valueBytes(probe, namespace);
    await this.namespaces.call({ namespace, id, method: 'DELETE', path: `/values/${encodeURIComponent(key)}` });
    return existed;
  }

  /** Delete `keys` (in `session`, a staged bulk session, when given); how many existed, where the service says. */
  async deleteMany(namespace: string, keys: string[], session?: WireSession): Promise<number> {
    if (keys.length === 0) return 0;
    const id = await this.namespaces.idOf(namespace);
    const counts = await mapLimit(batchesOf(keys, LIMITS.bulkMaxItems), BULK_DELETE_CONCURRENCY, async (batch) => {
      const result = await this.namespaces.call<{ successful_key_count?: number }>({
        namespace,
        id,
        method: 'POST',
        path: '/bulk/delete',
        body: JSON.stringify(batch),
        ...sessionQuery(session),
      });
      // kvadm serve counts keys that existed; other services may count every key sent.
      return result?.successful_key_count ?? batch.length;
    });
    return counts.reduce((a, b) => a + b, 0);
  }

  async list(namespace: string, options: ListOptions): Promise<ListResult> {
    const id = await this.namespaces.idOf(namespace);
    const response = await this.client.request('GET', `${this.namespaces.path(id)}/keys`, {
      query: {
        limit: options.limit ?? LIMITS.listMaxLimit,
        prefix: options.prefix || undefined,
        cursor: options.cursor || undefined,
        digest: options.digest ? 'true' : undefined,
      },
    });
    const envelope = this.namespaces.envelope(response, namespace);
    const keys = (envelope.result ?? []) as KeyInfo[];
    const cursor = envelope.result_info?.cursor;
    return typeof cursor === 'string' && cursor !== '' ? { keys, list_complete: false, cursor } : { keys, list_complete: true };
  }

  /**
   * Every page of a listing, in order; the next page is asked for while the caller reads values for
   * this one. A listing with digests and no `batchSize` grows its pages to LIMITS.digestListMaxLimit
   * once the server has given every key of a page its digest (a server that gives digests takes
   * such pages, docs/PROTOCOL.md): each page waits for the previous one's cursor, and with the
   * server busy writing a sync's changes, a sync of 100,000 keys spent half its time waiting for
   * pages of 1,000. A server that refuses the larger page (a kvadm serve older than them) is asked
   * again with 1,000, and the listing stays there.
   */
  private async *pages(namespace: string, options: { prefix?: string; batchSize?: number; digest?: boolean }): AsyncIterable<ListResult> {
    let limit = Math.min(Math.max(options.batchSize ?? LIMITS.listMaxLimit, 1), LIMITS.listMaxLimit);
    let mayGrow = Boolean(options.digest) && options.batchSize === undefined;
    const listPage = async (cursor?: string): Promise<ListResult> => {
      const query = {
        ...(options.digest ? { digest: true } : {}),
        ...(options.prefix ? { prefix: options.prefix } : {}),
        ...(cursor ? { cursor } : {}),
      };
      const asked = limit;
      try {
        return await this.list(namespace, { ...query, limit: asked });
      } catch (error) {
        if (asked <= LIMITS.listMaxLimit || !(error instanceof ValidationError) || error.code !== 'LIST_LIMIT_INVALID') throw error;
        mayGrow = false;
        limit = LIMITS.listMaxLimit;
        return this.list(namespace, { ...query, limit });
      }
    };
    let pending = listPage();
    for (;;) {
      const page = await pending;
      const more = !page.list_complete && Boolean(page.cursor);
      if (mayGrow && page.keys.length > 0 && page.keys.every((info) => typeof info.digest === 'string')) {
        limit = LIMITS.digestListMaxLimit;
      }
      if (more) {
        pending = listPage(page.cursor);
        pending.catch(() => undefined);
      }
      yield page;
      if (!more) return;
    }
  }

  async *scan(namespace: string, options: { prefix?: string; batchSize?: number } = {}): AsyncIterable<StoredEntry[]> {
    for await (const page of this.pages(namespace, options)) {
      const entries = (
        await this.getMany(
          namespace,
          page.keys.map((k) => k.name),
        )
      ).filter((e): e is StoredEntry => e !== null);
      if (entries.length > 0) yield entries;
    }
  }

  /**
   * Every live entry in key order with its value's digest from a `digest=true` listing (kvadm
   * serve) instead of its value; a key listed without one (a service that ignores the
   * parameter) has its value read through bulk get, as scan does.
   */
  async *scanDigests(namespace: string, options: { prefix?: string; batchSize?: number } = {}): AsyncIterable<SideEntry[]> {
    for await (const page of this.pages(namespace, { ...options, digest: true })) {
      const undigested = page.keys.filter((info) => typeof info.digest !== 'string').map((info) => info.name);
      const read = new Map<string, StoredEntry>();
      if (undigested.length > 0) {
        for (const entry of await this.getMany(namespace, undigested)) if (entry !== null) read.set(entry.key, entry);
      }
      const entries: SideEntry[] = [];
      for (const info of page.keys) {
        if (typeof info.digest === 'string') {
          entries.push(sideEntryOfKeyInfo(info));
        } else {
          // Read after the listing: gone since (expired, deleted) means not there.
          const entry = read.get(info.name);
          if (entry) entries.push(entry);
        }
      }
      if (entries.length > 0) yield entries;
    }
  }

  /** Write `entries` (in `session`, a staged bulk session, when given: see http-bulk-sessions.ts). */
  async writeBulk(namespace: string, id: string, entries: StoredEntry[], session?: WireSession): Promise<BulkWriteResult> {
    // One request for a write() that fits (the import engine sizes its writes to fit and keeps
    // several in flight itself), so a failure loses no count of what the server acknowledged.
    const requests = bulkRequests(entries, this.options.bulkBatchItems, this.options.nowSeconds());
    const failed = await Promise.all(requests.map((request) => this.bulkSlots.run(() => this.sendBulk(namespace, id, request, session))));
    const unsuccessfulKeys = failed.flat();
    return { written: entries.length - unsuccessfulKeys.length, unsuccessfulKeys };
  }

  /** One bulk request; keys the server refused are sent again with backoff. Returns those that never went in. */
  private async sendBulk(namespace: string, id: string, request: BulkRequest, session?: WireSession): Promise<string[]> {
    let pending = request;
    for (let round = 0; ; round++) {
      const result = await this.namespaces.call<{ unsuccessful_keys?: unknown }>({
        namespace,
        id,
        method: 'PUT',
        path: '/bulk',
        body: pending.body,
        ...sessionQuery(session),
      });
      const refused = Array.isArray(result?.unsuccessful_keys) ? (result.unsuccessful_keys as unknown[]).map(String) : [];
      if (refused.length === 0) return [];
      if (round >= this.options.retries) return refused;
      await this.client.sleepBackoff(round);
      const again = new Set(refused);
      // Fewer entries than a request that fitted: they fit one request again.
      [pending] = bulkRequests(
        pending.entries.filter((entry) => again.has(entry.key)),
        this.options.bulkBatchItems,
        this.options.nowSeconds(),
      ) as [BulkRequest];
    }
  }

  private async bulkGet(namespace: string, id: string, keys: string[]): Promise<(StoredEntry | null)[]> {
    const result = await this.namespaces.call<{ values?: Record<string, BulkGetItem | null> }>({
      namespace,
      id,
      method: 'POST',
      path: '/bulk/get',
      body: JSON.stringify({ keys, type: 'text', withMetadata: true }),
    });
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

  private keyPath(id: string, route: 'values' | 'metadata', key: string): string {
    return `${this.namespaces.path(id)}/${route}/${encodeURIComponent(key)}`;
  }

  /** The bytes of a raw value read; null when the key is missing (404 with 10009, or no code). */
  private valueBytes(response: WireResponse, namespace: string): Buffer | null {
    if (response.status === 200) return response.body;
    this.namespaces.throwIfMissing(response, namespace);
    if (response.status === 404) {
      const { code } = this.client.failure(response);
      if (code === WIRE_CODES.keyNotFound || code === undefined) return null;
    }
    throw this.client.error(response);
  }
}

/** `items` in consecutive runs of at most `size`. */
function batchesOf<T>(items: T[], size: number): T[][] {
  const batches: T[][] = [];
  for (let i = 0; i < items.length; i += size) batches.push(items.slice(i, i + size));
  return batches;
}

function expirationHeader(response: WireResponse): number | null {
  const header = response.headers.expiration;
  const value = Array.isArray(header) ? header[0] : header;
  return value !== undefined && /^\d+$/.test(value) ? Number(value) : null;
}
