/**
 * The kvadm bridge: an Azion edge Function that serves the Cloudflare-shaped KV protocol of
 * `kvadm serve` (docs/PROTOCOL.md) on top of Azion's runtime KV API (`Azion.KV`), so kvadm,
 * wrangler and the `cloudflare` SDK can manage keys in a real Azion KV namespace.
 *
 * This file must run on Azion's runtime: it imports nothing and uses only web APIs
 * (Request, Response, URL, TextEncoder, crypto.subtle, fetch). It is compiled to one ES
 * module (dist/lib/azion/bridge/bridge.js) that `kvadm azion bridge` writes out, and that
 * `kvadm azion emulate` runs in Node. Its limits and wire codes mirror src/lib/limits.ts and
 * src/lib/wire-codes.ts (a test keeps them equal). README.md beside it explains the key index,
 * its cost and its consistency. It is one long file, in sections, for the same reason: what is
 * deployed is this one module, and an import would need a bundler the deploy does not have.
 *
 * Environment (Azion environment variables / secrets, or the `env` argument of `fetch`):
 *   KVADM_BRIDGE_TOKEN   required: the bearer secret clients send (Authorization: Bearer …)
 *   KVADM_AZION_TOKEN    optional: an Azion personal token, for namespace create and list
 *                        (the runtime cannot do either; the bridge calls Azion's REST API)
 *   KVADM_AZION_API_URL  optional: default https://api.azion.com/v4
 */

// ---------------------------------------------------------------------------------------
// Limits and wire codes (mirrors of src/lib/limits.ts and src/lib/wire-codes.ts)

export const BRIDGE_LIMITS = {
  keyMaxBytes: 512,
  valueMaxBytes: 26_214_400,
  metadataMaxBytes: 1024,
  minExpirationTtlSeconds: 60,
  minExpirationOffsetSeconds: 60,
  maxExpirationSeconds: 253_402_300_799,
  writesPerKeyPerSecond: 1,
  listMaxLimit: 1000,
  bulkMaxItems: 10_000,
  bulkMaxBodyBytes: 100_000_000,
  bulkGetMaxKeys: 100,
} as const;

export const BRIDGE_WIRE_CODES = {
  authentication: 10000,
  internal: 10001,
  keyNotFound: 10009,
  namespaceNotFound: 10013,
  namespaceExists: 10014,
  keyEmpty: 10101,
  keyReserved: 10102,
  keyTooLong: 10103,
  valueTooLarge: 10104,
  metadataInvalid: 10105,
  metadataTooLarge: 10106,
  expirationTtlInvalid: 10107,
  expirationInvalid: 10108,
  namespaceNameInvalid: 10110,
  valueInvalid: 10111,
  listLimitInvalid: 10112,
  cursorInvalid: 10113,
  badRequest: 10114,
  bulkTooManyItems: 10115,
  bodyTooLarge: 10116,
  rateLimited: 10117,
  keyInvalid: 10118,
  unsupported: 10119,
  // kvadm serve's bulk sessions; the bridge has none (it answers their routes with noRoute),
  // but the table mirrors every code so that none is ever given two meanings.
  bulkSessionNotFound: 10120,
  bulkSessionEnded: 10121,
  bulkSessionBusy: 10122,
  noRoute: 7000,
} as const;

/** Azion's own limits (mirrors of AZION_LIMITS in src/lib/limits.ts; a test keeps them equal). */
export const BRIDGE_AZION_LIMITS = {
  /** Namespace names: 3..63 characters of A-Z a-z 0-9 _ - (Azion's KV Store documentation). */
  namespaceNameMinChars: 3,
  namespaceNameMaxChars: 63,
  /** page_size of GET /workspace/kv/namespaces: at most 1000. */
  namespacePageMaxSize: 1000,
} as const;

/** Azion's namespace names: 3 to 63 characters of A-Z a-z 0-9 _ - (Azion's KV Store documentation). */
export const AZION_NAMESPACE_PATTERN = new RegExp(
  `^[A-Za-z0-9_-]{${BRIDGE_AZION_LIMITS.namespaceNameMinChars},${BRIDGE_AZION_LIMITS.namespaceNameMaxChars}}$`,
);

/**
 * Keys under this prefix hold the bridge's key index, inside the namespace they index (so
 * deleting the namespace deletes its index). Clients cannot read or write them.
 */
export const INDEX_KEY_PREFIX = '.kvadm-bridge/';
/** Index buckets per namespace: a key's bucket is FNV-1a(key) mod this. Changing it needs a re-index. */
export const INDEX_BUCKETS = 64;
/**
 * An index entry whose key reads as missing is dropped from the index only once it is older
 * than this (seconds): Azion KV takes up to 60 s to show a write everywhere, so a younger
 * entry may name a key whose value has not reached this edge yet.
 */
export const STALE_ENTRY_MIN_AGE_SECONDS = 180;
/**
 * A rewrite that changes neither expiry nor size leaves the index alone unless its entry is
 * older than this (seconds), so a hot key does not cost an index write each time. An entry's
 * written-at is then at most this much older than the key's last write, which the stale age
 * above allows for (180 s - 60 s still exceeds Azion's 60 s propagation).
 */
export const INDEX_REFRESH_SECONDS = 60;

const API_PREFIX_SEGMENTS = ['', 'client', 'v4', 'accounts'];
/** Parallel runtime calls per request (reads and writes of values). */
const RUNTIME_CONCURRENCY = 32;
/** Attempts of an index bucket write refused by the per-key write limit (waits 1, 2, 4, 8 s). */
const BUCKET_WRITE_ATTEMPTS = 5;

// ---------------------------------------------------------------------------------------
// The runtime API this Function uses (Azion.KV), and its environment

type ValueType = 'text' | 'json' | 'arrayBuffer' | 'stream';

interface RuntimePutOptions {
  expiration?: number;
  expirationTtl?: number;
  metadata?: unknown;
}

/** A namespace handle of Azion's runtime KV API. */
export interface RuntimeKV {
  put(key: string, value: string | ArrayBuffer | Uint8Array, options?: RuntimePutOptions): Promise<void>;
  get(key: string, type?: ValueType): Promise<unknown>;
  getWithMetadata(key: string, type?: ValueType): Promise<{ value: unknown; metadata: unknown }>;
  delete(key: string): Promise<unknown>;
}

/** `Azion.KV` as the runtime provides it. */
export interface RuntimeKVClass {
  new (name?: string): RuntimeKV;
  open(name: string): Promise<RuntimeKV>;
  delete(name: string): Promise<unknown>;
}

/** What `fetch(request, env)` may receive; on Azion, variables also come from `Azion.env.get`. */
export interface BridgeEnv {
  KVADM_BRIDGE_TOKEN?: string;
  KVADM_AZION_TOKEN?: string;
  KVADM_AZION_API_URL?: string;
  /**
   * `kvadm azion emulate --test-clock-header` only: the bridge's clock (ms since the epoch),
   * so the behaviour tests can move time. Never set on Azion.
   */
  kvadmTestClock?: () => number;
  [name: string]: unknown;
}

interface AzionGlobals {
  KV?: RuntimeKVClass;
  env?: { get(name: string): string | undefined | null };
}

function azion(): AzionGlobals {
  return ((globalThis as { Azion?: AzionGlobals }).Azion ?? {}) as AzionGlobals;
}

function runtimeKV(): RuntimeKVClass {
  const kv = azion().KV;
  if (!kv)
    throw new WireError(500, BRIDGE_WIRE_CODES.internal, 'this runtime has no Azion.KV: deploy the bridge as an Azion edge Function');
  return kv;
}

function setting(env: BridgeEnv, name: string): string | undefined {
  const given = env[name];
  if (typeof given === 'string' && given !== '') return given;
  try {
    const value = azion().env?.get(name);
    return typeof value === 'string' && value !== '' ? value : undefined;
  } catch {
    return undefined;
  }
}

// ---------------------------------------------------------------------------------------
// Envelope and errors

class WireError extends Error {
  constructor(
    readonly status: number,
    readonly code: number,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

function badRequest(message: string, code: number = BRIDGE_WIRE_CODES.badRequest): WireError {
  return new WireError(400, code, message);
}

function json(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json', ...headers } });
}

function success(result: unknown, resultInfo?: Record<string, unknown>): Response {
  return json(200, { success: true, errors: [], messages: [], result, ...(resultInfo ? { result_info: resultInfo } : {}) });
}

function failure(error: WireError): Response {
  return json(
    error.status,
    { success: false, errors: [{ code: error.code, message: error.message }], messages: [], result: null },
    error.headers,
  );
}

const keyNotFound = () => new WireError(404, BRIDGE_WIRE_CODES.keyNotFound, "get: 'key not found'");
const namespaceNotFound = () => new WireError(404, BRIDGE_WIRE_CODES.namespaceNotFound, 'get: namespace not found');

/** Something Azion cannot do: a 400 (kvadm exits 2, a usage error) with its own code and a way out. */
function unsupported(message: string): WireError {
  return new WireError(400, BRIDGE_WIRE_CODES.unsupported, message);
}

/** Azion's per-key write limit, as the runtime reports it (an error mentioning 429 or a rate). */
function isRateLimited(error: unknown): boolean {
  const text = `${(error as { name?: string })?.name ?? ''} ${(error as { message?: string })?.message ?? String(error)}`;
  return /\b429\b|rate.?limit|too many/i.test(text);
}

function rateLimited(key: string): WireError {
  return new WireError(
    429,
    BRIDGE_WIRE_CODES.rateLimited,
    `Too many writes to key ${JSON.stringify(key)}: at most ${BRIDGE_LIMITS.writesPerKeyPerSecond} write per second to the same key.`,
    { 'retry-after': '1' },
  );
}

/** A runtime failure as a wire error: a missing namespace is a 404, the rest a 500 naming the cause. */
function runtimeFailure(error: unknown): WireError {
  if (error instanceof WireError) return error;
  const name = (error as { name?: string })?.name ?? '';
  const message = (error as { message?: string })?.message ?? String(error);
  if (name === 'NamespaceNotFoundError' || /namespace\b.*\b(not found|does not exist)/i.test(message)) return namespaceNotFound();
  return new WireError(500, BRIDGE_WIRE_CODES.internal, `Azion KV failed: ${message}`);
}

// ---------------------------------------------------------------------------------------
// Validation (the same rules and messages as src/lib/validation.ts)

const encoder = new TextEncoder();
const lossyUtf8 = new TextDecoder('utf-8', { ignoreBOM: true });
const LONE_SURROGATE = /\p{Surrogate}/u;

function utf8Length(text: string): number {
  return encoder.encode(text).byteLength;
}

function validateKey(key: string): string {
  if (key.length === 0) throw badRequest('Key names must not be empty.', BRIDGE_WIRE_CODES.keyEmpty);
  if (key === '.' || key === '..') throw badRequest('Illegal key name: "." and ".." are not allowed.', BRIDGE_WIRE_CODES.keyReserved);
  if (LONE_SURROGATE.test(key)) throw badRequest('Key names must be valid UTF-8.', BRIDGE_WIRE_CODES.keyInvalid);
  const bytes = utf8Length(key);
  if (bytes > BRIDGE_LIMITS.keyMaxBytes) {
    throw new WireError(
      414,
      BRIDGE_WIRE_CODES.keyTooLong,
      `UTF-8 encoded length of ${bytes} exceeds key length limit of ${BRIDGE_LIMITS.keyMaxBytes}.`,
    );
  }
  if (key.startsWith(INDEX_KEY_PREFIX)) {
    throw badRequest(
      `Key names starting with "${INDEX_KEY_PREFIX}" are reserved: the kvadm bridge keeps its key index there.`,
      BRIDGE_WIRE_CODES.keyReserved,
    );
  }
  return key;
}

function validateNamespace(name: string): string {
  if (!AZION_NAMESPACE_PATTERN.test(name)) {
    throw badRequest(
      `invalid namespace name ${JSON.stringify(name)}: Azion namespace names are ${BRIDGE_AZION_LIMITS.namespaceNameMinChars} to ${BRIDGE_AZION_LIMITS.namespaceNameMaxChars} characters of A-Z a-z 0-9 _ -`,
      BRIDGE_WIRE_CODES.namespaceNameInvalid,
    );
  }
  return name;
}

function valueTooLarge(bytes: number | string): WireError {
  return new WireError(413, BRIDGE_WIRE_CODES.valueTooLarge, `Value length of ${bytes} exceeds limit of ${BRIDGE_LIMITS.valueMaxBytes}.`);
}

/** Metadata JSON text: parsed, and at most 1024 bytes once serialised again. */
function parseMetadata(text: string): unknown {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw badRequest(`metadata is not valid JSON: ${(error as Error).message}`, BRIDGE_WIRE_CODES.metadataInvalid);
  }
  checkMetadataSize(parsed);
  return parsed;
}

function checkMetadataSize(metadata: unknown): void {
  const bytes = utf8Length(JSON.stringify(metadata) ?? '');
  if (bytes > BRIDGE_LIMITS.metadataMaxBytes) {
    throw new WireError(
      413,
      BRIDGE_WIRE_CODES.metadataTooLarge,
      `Metadata length of ${bytes} exceeds limit of ${BRIDGE_LIMITS.metadataMaxBytes}.`,
    );
  }
}

function shown(value: unknown): string {
  return typeof value === 'string' ? JSON.stringify(value) : String(value);
}

function wholeNumber(value: unknown): number | undefined {
  const n = typeof value === 'string' && /^-?\d+$/.test(value) ? Number(value) : value;
  return typeof n === 'number' && Number.isSafeInteger(n) ? n : undefined;
}

function latestExpiration(expiration: number, parameter: string, given: unknown): number {
  if (expiration <= BRIDGE_LIMITS.maxExpirationSeconds) return expiration;
  throw badRequest(
    `Invalid ${parameter} of ${String(given)}. Expiration times must be no later than ${BRIDGE_LIMITS.maxExpirationSeconds} (9999-12-31T23:59:59Z).`,
    parameter === 'expiration' ? BRIDGE_WIRE_CODES.expirationInvalid : BRIDGE_WIRE_CODES.expirationTtlInvalid,
  );
}

interface Expiry {
  /** Absolute expiry (unix seconds), or 0 for none. */
  at: number;
  /** What the runtime is asked for: the TTL when one was given (the runtime applies it by its clock). */
  option: RuntimePutOptions;
}

/** `expiration` / `expiration_ttl` of a write (TTL wins, as on the wire). */
function resolveExpiry(expiration: unknown, expirationTtl: unknown, nowMs: number): Expiry {
  const nowSeconds = Math.floor(nowMs / 1000);
  const present = (v: unknown) => v !== undefined && v !== null && v !== '';
  if (present(expirationTtl)) {
    const ttl = wholeNumber(expirationTtl);
    if (ttl === undefined) {
      throw badRequest(
        `Invalid expiration_ttl of ${shown(expirationTtl)}. Expiration TTL must be a whole number of seconds.`,
        BRIDGE_WIRE_CODES.expirationTtlInvalid,
      );
    }
    if (ttl < BRIDGE_LIMITS.minExpirationTtlSeconds) {
      throw badRequest(
        `Invalid expiration_ttl of ${String(expirationTtl)}. Expiration TTL must be at least ${BRIDGE_LIMITS.minExpirationTtlSeconds}.`,
        BRIDGE_WIRE_CODES.expirationTtlInvalid,
      );
    }
    return { at: latestExpiration(nowSeconds + ttl, 'expiration_ttl', expirationTtl), option: { expirationTtl: ttl } };
  }
  if (present(expiration)) {
    const at = wholeNumber(expiration);
    if (at === undefined) {
      throw badRequest(
        `Invalid expiration of ${shown(expiration)}. Expiration times must be a whole number of seconds since the epoch (unix time).`,
        BRIDGE_WIRE_CODES.expirationInvalid,
      );
    }
    if (at < nowSeconds + BRIDGE_LIMITS.minExpirationOffsetSeconds) {
      throw badRequest(
        `Invalid expiration of ${String(expiration)}. Expiration times must be at least ${BRIDGE_LIMITS.minExpirationOffsetSeconds} seconds in the future.`,
        BRIDGE_WIRE_CODES.expirationInvalid,
      );
    }
    return { at: latestExpiration(at, 'expiration', expiration), option: { expiration: at } };
  }
  return { at: 0, option: {} };
}

// ---------------------------------------------------------------------------------------
// Small helpers

/** UTF-8 byte order (= code point order), the order listings use. */
export function compareKeys(a: string, b: string): number {
  const length = Math.min(a.length, b.length);
  for (let i = 0; i < length; i++) {
    const x = a.codePointAt(i) as number;
    const y = b.codePointAt(i) as number;
    if (x !== y) return x < y ? -1 : 1;
    if (x > 0xffff) i++;
  }
  return a.length - b.length;
}

async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await fn(items[index] as T, index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

function base64UrlEncode(bytes: Uint8Array): string {
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

function base64UrlDecode(text: string): Uint8Array {
  const binary = atob(text.replace(/-/g, '+').replace(/_/g, '/'));
  return Uint8Array.from(binary, (c) => c.charCodeAt(0));
}

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

function base64Bytes(text: string): Uint8Array {
  if (!BASE64.test(text)) throw badRequest('"value" is not valid base64');
  return Uint8Array.from(atob(text), (c) => c.charCodeAt(0));
}

/** The request body as bytes, refused with `tooLarge` past `maxBytes` (by Content-Length, then by what arrives). */
async function bodyBytes(request: Request, maxBytes: number, tooLarge: (bytes: number | string) => WireError): Promise<Uint8Array> {
  const declared = Number(request.headers.get('content-length') ?? Number.NaN);
  if (Number.isFinite(declared) && declared > maxBytes) throw tooLarge(declared);
  const bytes = new Uint8Array(await request.arrayBuffer());
  if (bytes.byteLength > maxBytes) throw tooLarge(bytes.byteLength);
  return bytes;
}

async function jsonBody(request: Request, maxBytes: number): Promise<unknown> {
  const bytes = await bodyBytes(
    request,
    maxBytes,
    (n) => new WireError(413, BRIDGE_WIRE_CODES.bodyTooLarge, `Request body of ${n} bytes exceeds the limit of ${maxBytes} bytes.`),
  );
  if (bytes.byteLength === 0) throw badRequest('the request needs a JSON body');
  try {
    return JSON.parse(lossyUtf8.decode(bytes));
  } catch (error) {
    throw badRequest(`malformed JSON in the request body: ${(error as Error).message}`);
  }
}

/** Constant-time bearer check: both sides are hashed, then every byte is compared. */
async function authorized(header: string | null, token: string): Promise<boolean> {
  const match = /^Bearer\s+(.+)$/i.exec(header ?? '');
  const [given, expected] = await Promise.all([
    crypto.subtle.digest('SHA-256', encoder.encode(match ? (match[1] as string) : '')),
    crypto.subtle.digest('SHA-256', encoder.encode(token)),
  ]);
  const a = new Uint8Array(given);
  const b = new Uint8Array(expected);
  let difference = 0;
  for (let i = 0; i < a.length; i++) difference |= (a[i] as number) ^ (b[i] as number);
  return difference === 0 && match !== null;
}

// ---------------------------------------------------------------------------------------
// The key index (see README.md, "The key index")

/**
 * A bucket as stored: key name → [absolute expiry or 0, unix seconds the entry was written,
 * bytes of value plus metadata] (the runtime reports neither expiry nor size).
 */
type IndexEntry = [expiration: number, writtenAt: number, bytes: number];

interface Bucket {
  v: 1;
  keys: Record<string, IndexEntry>;
}

export function bucketOf(key: string): number {
  let hash = 0x811c9dc5;
  for (const byte of encoder.encode(key)) {
    hash ^= byte;
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash % INDEX_BUCKETS;
}

export function bucketKey(bucket: number): string {
  return `${INDEX_KEY_PREFIX}index/${String(bucket).padStart(2, '0')}`;
}

/**
 * Buckets this isolate read or wrote in the last BUCKET_CACHE_MS, so the pages of one listing
 * or export do not read the whole index again each time. Writes through this isolate update
 * it; writes elsewhere show after at most this long, well inside Azion KV's own 60 s.
 */
const bucketCache = new Map<string, { at: number; content: Bucket }>();
const BUCKET_CACHE_MS = 1000;
const BUCKET_CACHE_MAX = 4096;

function cacheBucket(id: string, content: Bucket): void {
  if (bucketCache.size >= BUCKET_CACHE_MAX) bucketCache.clear();
  bucketCache.set(id, { at: Date.now(), content });
}

function forgetNamespace(namespace: string): void {
  for (const id of bucketCache.keys()) if (id.startsWith(`${namespace}\u0000`)) bucketCache.delete(id);
}

/** A bucket as stored (its entries are own properties of `keys`; treat it as read-only). `fresh` skips the cache. */
async function readBucket(namespace: string, kv: RuntimeKV, bucket: number, fresh = false): Promise<Bucket> {
  const id = `${namespace}\u0000${bucket}`;
  const cached = bucketCache.get(id);
  if (!fresh && cached && Date.now() - cached.at < BUCKET_CACHE_MS) return cached.content;
  const stored = (await kv.get(bucketKey(bucket), 'json')) as Bucket | null;
  const content: Bucket =
    stored && typeof stored === 'object' && stored.keys && typeof stored.keys === 'object' ? stored : { v: 1, keys: {} };
  cacheBucket(id, content);
  return content;
}

/** One change to a bucket: add (or refresh) an entry, or remove one. */
type IndexChange =
  | { op: 'add'; key: string; expiration: number; writtenAt: number; bytes: number }
  | { op: 'remove'; key: string; ifOlderThan?: number };

interface PendingFlush {
  changes: IndexChange[];
  waiters: Array<{ resolve: () => void; reject: (error: unknown) => void }>;
}

/**
 * Group commit per (namespace, bucket) inside this isolate: changes that arrive while a
 * bucket is being written wait and go out together in the next write, so concurrent
 * requests on one edge never overwrite each other's entries and a bucket is written as
 * rarely as possible (the runtime allows 1 write/s per key).
 */
const flushing = new Map<string, Promise<void>>();
const pending = new Map<string, PendingFlush>();

/** The bucket with `changes` applied, or null when they change nothing. */
function applyChanges(bucket: Bucket, changes: IndexChange[]): Bucket | null {
  // A Map, so a key named "__proto__" is just a key.
  const keys = new Map(Object.entries(bucket.keys));
  let changed = false;
  for (const change of changes) {
    const current = keys.get(change.key);
    if (change.op === 'add') {
      const unchanged =
        current && current[0] === change.expiration && current[2] === change.bytes && change.writtenAt - current[1] < INDEX_REFRESH_SECONDS;
      if (!unchanged) {
        keys.set(change.key, [change.expiration, change.writtenAt, change.bytes]);
        changed = true;
      }
    } else if (current && (change.ifOlderThan === undefined || current[1] < change.ifOlderThan)) {
      keys.delete(change.key);
      changed = true;
    }
  }
  return changed ? { v: 1, keys: Object.fromEntries(keys) } : null;
}

async function writeBucket(kv: RuntimeKV, bucket: number, content: Bucket): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await kv.put(bucketKey(bucket), JSON.stringify(content));
      return;
    } catch (error) {
      if (!isRateLimited(error) || attempt >= BUCKET_WRITE_ATTEMPTS) throw error;
      // Another write of this bucket in the last second (this edge or another): back off, with jitter.
      await sleep(1000 * 2 ** (attempt - 1) * (0.75 + Math.random() / 2));
    }
  }
}

async function flushBucket(namespace: string, kv: RuntimeKV, bucket: number): Promise<void> {
  const id = `${namespace}\u0000${bucket}`;
  for (;;) {
    const running = flushing.get(id);
    if (running) {
      await running.catch(() => undefined);
      continue;
    }
    const batch = pending.get(id);
    if (!batch) return;
    pending.delete(id);
    const work = (async () => {
      // Read past the cache: the freshest copy loses the fewest entries written by other isolates.
      const updated = applyChanges(await readBucket(namespace, kv, bucket, true), batch.changes);
      if (updated) {
        await writeBucket(kv, bucket, updated);
        cacheBucket(id, updated);
      }
    })();
    flushing.set(id, work);
    try {
      await work;
      for (const waiter of batch.waiters) waiter.resolve();
    } catch (error) {
      for (const waiter of batch.waiters) waiter.reject(error);
    } finally {
      flushing.delete(id);
    }
  }
}

/** Apply `changes` to the index: one read and at most one write per touched bucket. */
async function updateIndex(namespace: string, kv: RuntimeKV, changes: IndexChange[]): Promise<void> {
  const byBucket = new Map<number, IndexChange[]>();
  for (const change of changes) {
    const bucket = bucketOf(change.key);
    let list = byBucket.get(bucket);
    if (!list) byBucket.set(bucket, (list = []));
    list.push(change);
  }
  await Promise.all(
    [...byBucket].map(([bucket, list]) => {
      const id = `${namespace}\u0000${bucket}`;
      let batch = pending.get(id);
      if (!batch) pending.set(id, (batch = { changes: [], waiters: [] }));
      batch.changes.push(...list);
      const done = new Promise<void>((resolve, reject) => batch.waiters.push({ resolve, reject }));
      void flushBucket(namespace, kv, bucket);
      return done;
    }),
  );
}

async function indexUpdate(namespace: string, kv: RuntimeKV, changes: IndexChange[]): Promise<void> {
  try {
    await updateIndex(namespace, kv, changes);
  } catch (error) {
    if (isRateLimited(error)) {
      throw new WireError(
        503,
        BRIDGE_WIRE_CODES.rateLimited,
        "the key index is busy (Azion's 1 write/s per key on an index bucket): nothing was written; retry the request",
        { 'retry-after': '2' },
      );
    }
    throw error;
  }
}

/** Every index entry of the namespace. */
async function readIndex(namespace: string, kv: RuntimeKV): Promise<Map<string, IndexEntry>> {
  const contents = await Promise.all(Array.from({ length: INDEX_BUCKETS }, (_, bucket) => readBucket(namespace, kv, bucket)));
  const entries = new Map<string, IndexEntry>();
  for (const content of contents) for (const [name, entry] of Object.entries(content.keys)) entries.set(name, entry);
  return entries;
}

/** The index entries of `keys` (only their buckets are read). */
async function lookup(namespace: string, kv: RuntimeKV, keys: string[]): Promise<Map<string, IndexEntry>> {
  const buckets = new Map<number, Promise<Bucket>>();
  for (const key of keys) {
    const bucket = bucketOf(key);
    if (!buckets.has(bucket)) buckets.set(bucket, readBucket(namespace, kv, bucket));
  }
  const entries = new Map<string, IndexEntry>();
  for (const key of keys) {
    const content = await (buckets.get(bucketOf(key)) as Promise<Bucket>);
    if (Object.hasOwn(content.keys, key)) entries.set(key, content.keys[key] as IndexEntry);
  }
  return entries;
}

/** A live key's metadata, or undefined when the key is missing (its value is not read). */
async function probe(kv: RuntimeKV, key: string): Promise<{ metadata: unknown } | undefined> {
  const found = await kv.getWithMetadata(key, 'stream');
  if (found === null || found.value === null || found.value === undefined) return undefined;
  await (found.value as ReadableStream).cancel?.().catch(() => undefined);
  return { metadata: found.metadata ?? null };
}

// ---------------------------------------------------------------------------------------
// Routes

interface Context {
  request: Request;
  url: URL;
  env: BridgeEnv;
  nowMs: number;
}

async function openNamespace(name: string): Promise<RuntimeKV> {
  validateNamespace(name);
  try {
    return await runtimeKV().open(name);
  } catch (error) {
    const wire = runtimeFailure(error);
    throw wire.status === 500 ? namespaceNotFound() : wire;
  }
}

function wireNamespace(name: string) {
  return { id: name, title: name, supports_url_encoding: true };
}

/** Azion's REST API for namespaces: the only place they can be created or listed. */
async function azionApi(ctx: Context, method: string, path: string, body?: unknown): Promise<{ status: number; body: unknown }> {
  const token = setting(ctx.env, 'KVADM_AZION_TOKEN');
  if (!token) {
    throw unsupported(
      "Azion's runtime cannot create or list KV namespaces: set the secret KVADM_AZION_TOKEN (an Azion personal token) on the bridge, " +
        'or manage namespaces with `kvadm ns create|list --backend azion` or the Azion console',
    );
  }
  const base = (setting(ctx.env, 'KVADM_AZION_API_URL') ?? 'https://api.azion.com/v4').replace(/\/+$/, '');
  let response: Response;
  try {
    response = await fetch(`${base}${path}`, {
      method,
      headers: { authorization: `Token ${token}`, accept: 'application/json', ...(body ? { 'content-type': 'application/json' } : {}) },
      ...(body ? { body: JSON.stringify(body) } : {}),
    });
  } catch (error) {
    throw new WireError(502, BRIDGE_WIRE_CODES.internal, `cannot reach Azion's API at ${base}: ${(error as Error).message}`);
  }
  const text = await response.text();
  let parsed: unknown = null;
  try {
    parsed = text ? JSON.parse(text) : null;
  } catch {
    parsed = text;
  }
  if (response.status === 401 || response.status === 403) {
    throw new WireError(502, BRIDGE_WIRE_CODES.internal, `Azion's API refused the bridge's KVADM_AZION_TOKEN (HTTP ${response.status})`);
  }
  if (response.status === 429 || response.status >= 500) {
    throw new WireError(503, BRIDGE_WIRE_CODES.internal, `Azion's API answered HTTP ${response.status}: retry later`, {
      'retry-after': response.headers.get('retry-after') ?? '2',
    });
  }
  return { status: response.status, body: parsed };
}

function azionMessage(body: unknown): string {
  const error = (body as { error?: { message?: unknown; detail?: unknown } } | null)?.error;
  const message = error?.message ?? (body as { detail?: unknown } | null)?.detail;
  return typeof message === 'string' ? message : JSON.stringify(body);
}

async function listNamespaces(ctx: Context): Promise<Response> {
  const query = ctx.url.searchParams;
  const page = queryInt(query, 'page', 1, Number.MAX_SAFE_INTEGER) ?? 1;
  const perPage = queryInt(query, 'per_page', 1, BRIDGE_LIMITS.listMaxLimit) ?? 20;
  const order = query.get('order') || 'id';
  const direction = query.get('direction') || 'asc';
  if (order !== 'id' && order !== 'title') throw badRequest(`invalid order ${JSON.stringify(order)}: use id or title`);
  if (direction !== 'asc' && direction !== 'desc') throw badRequest(`invalid direction ${JSON.stringify(direction)}: use asc or desc`);
  // An account holds at most 1000 namespaces (Azion's plan limit): read them all, then page here.
  const names: string[] = [];
  for (let azionPage = 1; azionPage <= 100; azionPage++) {
    const { status, body } = await azionApi(
      ctx,
      'GET',
      `/workspace/kv/namespaces?page=${azionPage}&page_size=${BRIDGE_AZION_LIMITS.namespacePageMaxSize}`,
    );
    if (status !== 200) throw new WireError(502, BRIDGE_WIRE_CODES.internal, `Azion's API answered HTTP ${status}: ${azionMessage(body)}`);
    const reply = body as { results?: Array<{ name?: unknown }>; pagination?: { has_next?: unknown } };
    for (const item of reply.results ?? []) if (typeof item.name === 'string') names.push(item.name);
    if (reply.pagination?.has_next !== true) break;
  }
  names.sort(compareKeys);
  if (direction === 'desc') names.reverse();
  const slice = names.slice((page - 1) * perPage, page * perPage);
  return success(slice.map(wireNamespace), {
    count: slice.length,
    page,
    per_page: perPage,
    total_count: names.length,
    total_pages: Math.ceil(names.length / perPage),
  });
}

async function createNamespace(ctx: Context): Promise<Response> {
  const title = (((await jsonBody(ctx.request, 1_000_000)) ?? {}) as { title?: unknown }).title;
  if (typeof title !== 'string') throw badRequest('the body must be a JSON object with a string "title"');
  validateNamespace(title);
  const { status, body } = await azionApi(ctx, 'POST', '/workspace/kv/namespaces', { name: title });
  if (status === 200 || status === 201) return success(wireNamespace(title));
  const message = azionMessage(body);
  if (status === 409 || /already exists|must be unique|duplicate/i.test(message)) {
    throw new WireError(400, BRIDGE_WIRE_CODES.namespaceExists, 'a namespace with this account ID and title already exists');
  }
  throw badRequest(`Azion refused the namespace ${JSON.stringify(title)} (HTTP ${status}): ${message}`);
}

function queryInt(query: URLSearchParams, name: string, min: number, max: number): number | undefined {
  const raw = query.get(name);
  if (raw === null || raw === '') return undefined;
  const n = /^\d+$/.test(raw) ? Number(raw) : Number.NaN;
  if (!Number.isSafeInteger(n) || n < min || n > max) {
    throw badRequest(`invalid ${name} ${JSON.stringify(raw)}: give a whole number from ${min} to ${max}`);
  }
  return n;
}

async function listKeys(ctx: Context, namespace: string, kv: RuntimeKV): Promise<Response> {
  const query = ctx.url.searchParams;
  const rawLimit = query.get('limit');
  let limit: number = BRIDGE_LIMITS.listMaxLimit;
  if (rawLimit !== null && rawLimit !== '') {
    limit = /^\d+$/.test(rawLimit) ? Number(rawLimit) : Number.NaN;
    if (!Number.isSafeInteger(limit) || limit < 1 || limit > BRIDGE_LIMITS.listMaxLimit) {
      throw badRequest(`invalid list limit ${rawLimit}: it must be 1 to ${BRIDGE_LIMITS.listMaxLimit}`, BRIDGE_WIRE_CODES.listLimitInvalid);
    }
  }
  const prefix = query.get('prefix') ?? '';
  if (LONE_SURROGATE.test(prefix)) throw badRequest('Prefixes must be valid UTF-8.', BRIDGE_WIRE_CODES.keyInvalid);
  const after = decodeCursor(query.get('cursor') ?? '');
  const nowSeconds = Math.floor(ctx.nowMs / 1000);

  const index = await readIndex(namespace, kv);
  const candidates: Array<[string, number, number]> = [];
  for (const [name, [expiration, writtenAt]] of index) {
    if (!name.startsWith(prefix) || (after !== undefined && compareKeys(name, after) <= 0)) continue;
    if (expiration !== 0 && expiration <= nowSeconds) continue;
    candidates.push([name, expiration, writtenAt]);
  }
  candidates.sort((a, b) => compareKeys(a[0], b[0]));
  const page = candidates.slice(0, limit);
  // The index may name keys that are gone (deleted elsewhere, a request cut short): each is read.
  const probes = await mapLimit(page, RUNTIME_CONCURRENCY, ([name]) => probe(kv, name));
  const keys: Array<{ name: string; expiration?: number; metadata?: unknown }> = [];
  const stale: IndexChange[] = [];
  page.forEach(([name, expiration, writtenAt], i) => {
    const found = probes[i];
    if (!found) {
      if (writtenAt < nowSeconds - STALE_ENTRY_MIN_AGE_SECONDS) stale.push({ op: 'remove', key: name, ifOlderThan: writtenAt + 1 });
      return;
    }
    keys.push({
      name,
      ...(expiration === 0 ? {} : { expiration }),
      ...(found.metadata === null || found.metadata === undefined ? {} : { metadata: found.metadata }),
    });
  });
  // Self-healing: old entries of missing keys leave the index (best effort; a busy bucket waits for the next listing).
  if (stale.length > 0) await updateIndex(namespace, kv, stale).catch(() => undefined);
  const more = candidates.length > limit;
  const last = page[page.length - 1];
  return success(keys, { count: keys.length, cursor: more && last ? base64UrlEncode(encoder.encode(last[0])) : '' });
}

function decodeCursor(cursor: string): string | undefined {
  if (cursor === '') return undefined;
  try {
    if (!/^[A-Za-z0-9_-]+$/.test(cursor)) throw new Error('not base64url');
    return new TextDecoder('utf-8', { fatal: true }).decode(base64UrlDecode(cursor));
  } catch {
    throw badRequest(
      `invalid cursor ${JSON.stringify(cursor.slice(0, 80))}: pass the cursor of the previous page unchanged`,
      BRIDGE_WIRE_CODES.cursorInvalid,
    );
  }
}

/** The key in the last path segment, decoded exactly once. */
function keyOf(segments: string[], index: number): string {
  if (segments.length > index + 1) throw badRequest('a key must be one URL path segment: percent-encode "/" in keys as %2F');
  const segment = segments[index] ?? '';
  let key: string;
  try {
    key = decodeURIComponent(segment);
  } catch {
    throw badRequest(`the key segment ${JSON.stringify(segment.slice(0, 80))} is not valid percent-encoded UTF-8`);
  }
  return validateKey(key);
}

async function getValue(namespace: string, kv: RuntimeKV, key: string): Promise<Response> {
  const [value, index] = await Promise.all([kv.get(key, 'stream'), lookup(namespace, kv, [key])]);
  if (value === null || value === undefined) throw keyNotFound();
  const expiration = index.get(key)?.[0] ?? 0;
  return new Response(value as ReadableStream, {
    status: 200,
    headers: { 'content-type': 'application/octet-stream', ...(expiration ? { expiration: String(expiration) } : {}) },
  });
}

async function getMetadata(kv: RuntimeKV, key: string): Promise<Response> {
  const found = await probe(kv, key);
  if (!found) throw keyNotFound();
  return success(found.metadata ?? null);
}

/** Write one value: index entry first (so the index never misses a live key), then the value. */
async function writeValue(
  namespace: string,
  kv: RuntimeKV,
  key: string,
  value: Uint8Array,
  expiry: Expiry,
  metadata: unknown,
  nowMs: number,
): Promise<void> {
  const bytes = value.byteLength + (metadata === undefined || metadata === null ? 0 : utf8Length(JSON.stringify(metadata)));
  await indexUpdate(namespace, kv, [{ op: 'add', key, expiration: expiry.at, writtenAt: Math.floor(nowMs / 1000), bytes }]);
  await kv.put(key, value, { ...expiry.option, ...(metadata === undefined || metadata === null ? {} : { metadata }) });
}

async function putValue(ctx: Context, namespace: string, kv: RuntimeKV, key: string): Promise<Response> {
  const query = ctx.url.searchParams;
  const expiry = resolveExpiry(query.get('expiration'), query.get('expiration_ttl'), ctx.nowMs);
  let value: Uint8Array;
  let metadata: unknown;
  if (/^multipart\/form-data/i.test(ctx.request.headers.get('content-type') ?? '')) {
    const declared = Number(ctx.request.headers.get('content-length') ?? Number.NaN);
    if (Number.isFinite(declared) && declared > BRIDGE_LIMITS.valueMaxBytes + 64 * 1024) throw valueTooLarge(declared);
    let form: FormData;
    try {
      form = await ctx.request.formData();
    } catch (error) {
      throw badRequest(`malformed multipart body: ${(error as Error).message}`);
    }
    for (const name of form.keys()) {
      if (name === 'value' || name === 'metadata') continue;
      if (name.startsWith('metadata[')) {
        throw badRequest('send metadata as one "metadata" part holding JSON text (with the cloudflare SDK: metadata: JSON.stringify(...))');
      }
      throw badRequest(`unexpected multipart part ${JSON.stringify(name)}: send "value" and optionally "metadata"`);
    }
    const part = form.get('value');
    if (part === null) throw badRequest('the multipart body has no "value" part');
    value = typeof part === 'string' ? encoder.encode(part) : new Uint8Array(await part.arrayBuffer());
    const metadataPart = form.get('metadata');
    if (metadataPart !== null) metadata = parseMetadata(typeof metadataPart === 'string' ? metadataPart : await metadataPart.text());
  } else {
    value = await bodyBytes(ctx.request, BRIDGE_LIMITS.valueMaxBytes, valueTooLarge);
  }
  if (value.byteLength > BRIDGE_LIMITS.valueMaxBytes) throw valueTooLarge(value.byteLength);
  try {
    await writeValue(namespace, kv, key, value, expiry, metadata, ctx.nowMs);
  } catch (error) {
    if (isRateLimited(error)) throw rateLimited(key);
    throw error;
  }
  return success({});
}

async function deleteValue(namespace: string, kv: RuntimeKV, key: string): Promise<Response> {
  // Value first, then the index entry: a request cut in between leaves an entry that listings drop.
  await kv.delete(key);
  await indexUpdate(namespace, kv, [{ op: 'remove', key }]);
  return success({});
}

interface PreparedItem {
  key: string;
  value: Uint8Array;
  expiry: Expiry;
  metadata: unknown;
}

function prepareItem(raw: unknown, index: number, nowMs: number): PreparedItem {
  const fail = (error: unknown, key?: unknown): never => {
    const wire = error instanceof WireError ? error : badRequest(String(error));
    const name = typeof key === 'string' ? ` (key ${JSON.stringify(key)})` : '';
    throw new WireError(wire.status, wire.code, `item ${index}${name}: ${wire.message}`, wire.headers);
  };
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    return fail(badRequest('each item must be an object {key, value, expiration?, expiration_ttl?, metadata?, base64?}'));
  }
  const item = raw as {
    key?: unknown;
    value?: unknown;
    base64?: unknown;
    expiration?: unknown;
    expiration_ttl?: unknown;
    metadata?: unknown;
  };
  try {
    if (typeof item.key !== 'string') throw badRequest('"key" must be a string');
    const key = validateKey(item.key);
    if (typeof item.value !== 'string') throw badRequest('"value" must be a string (binary values as base64 with "base64": true)');
    let value: Uint8Array;
    if (item.base64 === true) value = base64Bytes(item.value);
    else if (item.base64 === undefined || item.base64 === false) value = encoder.encode(item.value);
    else throw badRequest('"base64" must be true or false');
    if (value.byteLength > BRIDGE_LIMITS.valueMaxBytes) throw valueTooLarge(value.byteLength);
    const expiry = resolveExpiry(item.expiration, item.expiration_ttl, nowMs);
    if (item.metadata !== undefined && item.metadata !== null) checkMetadataSize(item.metadata);
    return { key, value, expiry, metadata: item.metadata ?? undefined };
  } catch (error) {
    return fail(error, item.key);
  }
}

async function bulkArray(request: Request, shape: string, max: number): Promise<unknown[]> {
  const body = await jsonBody(request, BRIDGE_LIMITS.bulkMaxBodyBytes);
  if (!Array.isArray(body)) throw badRequest(`the body must be a JSON array of ${shape}`);
  if (body.length > max) {
    throw badRequest(`A bulk request takes at most ${max} items; this one has ${body.length}.`, BRIDGE_WIRE_CODES.bulkTooManyItems);
  }
  return body;
}

async function bulkPut(ctx: Context, namespace: string, kv: RuntimeKV): Promise<Response> {
  const items = await bulkArray(ctx.request, '{key, value, ...} objects', BRIDGE_LIMITS.bulkMaxItems);
  // Every item is checked before any is written; a key repeated in one request is written once (the last).
  const latest = new Map<string, PreparedItem>();
  items.forEach((raw, index) => {
    const item = prepareItem(raw, index, ctx.nowMs);
    latest.delete(item.key);
    latest.set(item.key, item);
  });
  const prepared = [...latest.values()];
  const writtenAt = Math.floor(ctx.nowMs / 1000);
  // One index write per touched bucket for the whole request, before any value.
  await indexUpdate(
    namespace,
    kv,
    prepared.map((item) => ({
      op: 'add',
      key: item.key,
      expiration: item.expiry.at,
      writtenAt,
      bytes:
        item.value.byteLength + (item.metadata === undefined || item.metadata === null ? 0 : utf8Length(JSON.stringify(item.metadata))),
    })),
  );
  const unsuccessful: string[] = [];
  await mapLimit(prepared, RUNTIME_CONCURRENCY, async (item) => {
    try {
      const metadata = item.metadata === undefined ? {} : { metadata: item.metadata };
      await kv.put(item.key, item.value, { ...item.expiry.option, ...metadata });
    } catch (error) {
      // Written less than a second ago: the client resends these keys.
      if (isRateLimited(error)) unsuccessful.push(item.key);
      else throw runtimeFailure(error);
    }
  });
  const refused = new Set(unsuccessful);
  let count = 0;
  for (const raw of items) if (!refused.has((raw as { key: string }).key)) count++;
  return success({ successful_key_count: count, unsuccessful_keys: unsuccessful });
}

async function bulkDelete(ctx: Context, namespace: string, kv: RuntimeKV): Promise<Response> {
  const keys = await bulkArray(ctx.request, 'key names', BRIDGE_LIMITS.bulkMaxItems);
  keys.forEach((key, index) => {
    if (typeof key !== 'string') throw badRequest(`item ${index}: each item must be a key name (a string)`);
    try {
      validateKey(key);
    } catch (error) {
      const wire = error as WireError;
      throw new WireError(wire.status, wire.code, `item ${index} (key ${JSON.stringify(key)}): ${wire.message}`);
    }
  });
  const unique = [...new Set(keys as string[])];
  // Like `kvadm serve`, the count is of keys that existed (what `kv delete` reports).
  const existed = await mapLimit(unique, RUNTIME_CONCURRENCY, async (key) => {
    const found = await probe(kv, key);
    if (found) await kv.delete(key);
    return found !== undefined;
  });
  await indexUpdate(
    namespace,
    kv,
    unique.map((key) => ({ op: 'remove', key })),
  );
  return success({ successful_key_count: existed.filter(Boolean).length, unsuccessful_keys: [] });
}

async function bulkGet(ctx: Context, namespace: string, kv: RuntimeKV): Promise<Response> {
  const body = (await jsonBody(ctx.request, BRIDGE_LIMITS.bulkMaxBodyBytes)) as { keys?: unknown; type?: unknown; withMetadata?: unknown };
  if (typeof body !== 'object' || body === null || !Array.isArray(body.keys) || body.keys.some((k) => typeof k !== 'string')) {
    throw badRequest('the body must be {"keys": [names...], "type"?: "text" | "json", "withMetadata"?: boolean}');
  }
  const keys = body.keys as string[];
  if (keys.length > BRIDGE_LIMITS.bulkGetMaxKeys) {
    throw badRequest(
      `A bulk get takes at most ${BRIDGE_LIMITS.bulkGetMaxKeys} keys; this one has ${keys.length}.`,
      BRIDGE_WIRE_CODES.bulkTooManyItems,
    );
  }
  for (const key of keys) validateKey(key);
  const type = body.type ?? 'text';
  if (type !== 'text' && type !== 'json') throw badRequest(`invalid type ${JSON.stringify(type)}: use "text" or "json"`);
  const withMetadata = body.withMetadata === true;
  const [found, index] = await Promise.all([
    mapLimit(keys, RUNTIME_CONCURRENCY, (key) => kv.getWithMetadata(key, 'arrayBuffer')),
    withMetadata ? lookup(namespace, kv, keys) : Promise.resolve(new Map<string, IndexEntry>()),
  ]);
  const values: Record<string, unknown> = Object.create(null);
  keys.forEach((key, i) => {
    const entry = found[i];
    if (!entry || entry.value === null || entry.value === undefined) {
      values[key] = null;
      return;
    }
    const text = lossyUtf8.decode(entry.value as ArrayBuffer);
    let value: unknown = text;
    if (type === 'json') {
      try {
        value = JSON.parse(text);
      } catch (error) {
        throw badRequest(
          `the value of key ${JSON.stringify(key)} is not valid JSON: ${(error as Error).message}`,
          BRIDGE_WIRE_CODES.valueInvalid,
        );
      }
    }
    if (!withMetadata) {
      values[key] = value;
      return;
    }
    const expiration = index.get(key)?.[0] ?? 0;
    values[key] = { value, metadata: entry.metadata ?? null, ...(expiration ? { expiration } : {}) };
  });
  return success({ values });
}

/**
 * kvadm's stats extension (what `kvadm ns info` shows), from the index: every unexpired entry
 * is checked to exist (one read each), sizes are those recorded at write time, and expired
 * keys are the index entries past their expiry that no sweep has dropped yet.
 */
async function namespaceStats(ctx: Context, namespace: string, kv: RuntimeKV) {
  const nowSeconds = Math.floor(ctx.nowMs / 1000);
  const live: Array<[string, IndexEntry]> = [];
  let expired = 0;
  for (const [name, entry] of await readIndex(namespace, kv)) {
    if (entry[0] !== 0 && entry[0] <= nowSeconds) expired++;
    else live.push([name, entry]);
  }
  const found = await mapLimit(live, RUNTIME_CONCURRENCY, ([name]) => probe(kv, name));
  let keyCount = 0;
  let storedBytes = 0;
  live.forEach(([name, entry], i) => {
    if (!found[i]) return;
    keyCount++;
    storedBytes += utf8Length(name) + (entry[2] ?? 0);
  });
  return { key_count: keyCount, stored_bytes: storedBytes, expired_keys: expired };
}

/** kvadm's sweep extension: Azion expires keys itself, so this only drops index entries of expired or missing keys. */
async function sweepIndex(ctx: Context, namespace: string, kv: RuntimeKV): Promise<Response> {
  const nowSeconds = Math.floor(ctx.nowMs / 1000);
  const index = await readIndex(namespace, kv);
  const changes: IndexChange[] = [];
  let next: number | null = null;
  for (const [name, [expiration, writtenAt]] of index) {
    if (expiration !== 0 && expiration <= nowSeconds) changes.push({ op: 'remove', key: name, ifOlderThan: writtenAt + 1 });
    else if (expiration !== 0 && (next === null || expiration < next)) next = expiration;
  }
  if (changes.length > 0) await indexUpdate(namespace, kv, changes);
  return success({ deleted: changes.length, next_expiration: next });
}

async function route(ctx: Context): Promise<Response> {
  const { request } = ctx;
  const method = request.method.toUpperCase();
  const segments = ctx.url.pathname.split('/');
  // "", client, v4, accounts, ACCOUNT, storage, kv, namespaces, NS, ROUTE, KEY
  const prefixMatches =
    API_PREFIX_SEGMENTS.every((s, i) => segments[i] === s) &&
    segments[5] === 'storage' &&
    segments[6] === 'kv' &&
    segments[7] === 'namespaces';
  const noRoute = () => new WireError(404, BRIDGE_WIRE_CODES.noRoute, `No route for ${method} ${ctx.url.pathname}`);
  if (!prefixMatches || segments.length < 8) throw noRoute();
  if (segments.length === 8 || (segments.length === 9 && segments[8] === '')) {
    if (method === 'GET') return listNamespaces(ctx);
    if (method === 'POST') return createNamespace(ctx);
    throw noRoute();
  }
  let namespace: string;
  try {
    namespace = decodeURIComponent(segments[8] as string);
  } catch {
    throw badRequest('the namespace id is not valid percent-encoded UTF-8');
  }
  const sub = segments[9];
  if (sub === undefined) {
    if (method === 'GET') {
      const kv = await openNamespace(namespace);
      if (ctx.url.searchParams.get('stats') !== 'true') return success(wireNamespace(namespace));
      return success({ ...wireNamespace(namespace), stats: await namespaceStats(ctx, namespace, kv) });
    }
    if (method === 'DELETE') {
      await openNamespace(namespace);
      await runtimeKV().delete(namespace);
      forgetNamespace(namespace);
      return success({});
    }
    if (method === 'PUT') {
      throw unsupported(
        `Azion KV cannot rename a namespace: copy it instead (kvadm copy ${namespace} NEW --backend azion, then kvadm ns delete ${namespace})`,
      );
    }
    throw noRoute();
  }
  const kv = await openNamespace(namespace);
  if (sub === 'keys' && segments.length === 10 && method === 'GET') return listKeys(ctx, namespace, kv);
  if (sub === 'values' && segments.length >= 11) {
    const key = keyOf(segments, 10);
    if (method === 'GET') return getValue(namespace, kv, key);
    if (method === 'PUT') return putValue(ctx, namespace, kv, key);
    if (method === 'DELETE') return deleteValue(namespace, kv, key);
  }
  if (sub === 'metadata' && segments.length >= 11 && method === 'GET') return getMetadata(kv, keyOf(segments, 10));
  if (sub === 'bulk' && segments.length === 10 && method === 'PUT') return bulkPut(ctx, namespace, kv);
  if (sub === 'bulk' && segments.length === 10 && method === 'DELETE') return bulkDelete(ctx, namespace, kv);
  if (sub === 'bulk' && segments[10] === 'delete' && segments.length === 11 && method === 'POST') return bulkDelete(ctx, namespace, kv);
  if (sub === 'bulk' && segments[10] === 'get' && segments.length === 11 && method === 'POST') return bulkGet(ctx, namespace, kv);
  if (sub === 'sweep' && segments.length === 10 && method === 'POST') return sweepIndex(ctx, namespace, kv);
  throw noRoute();
}

/**
 * The Function's fetch handler: authenticates, routes, and turns every failure into the
 * protocol's JSON envelope. Node calls it directly (`kvadm azion emulate`).
 */
export async function handleRequest(request: Request, env: BridgeEnv = {}): Promise<Response> {
  try {
    const token = setting(env, 'KVADM_BRIDGE_TOKEN');
    if (!token) {
      throw new WireError(
        401,
        BRIDGE_WIRE_CODES.authentication,
        'Authentication error: the bridge has no KVADM_BRIDGE_TOKEN; set it as a secret environment variable of the Function',
        { 'www-authenticate': 'Bearer' },
      );
    }
    if (!(await authorized(request.headers.get('authorization'), token))) {
      throw new WireError(401, BRIDGE_WIRE_CODES.authentication, 'Authentication error', { 'www-authenticate': 'Bearer' });
    }
    const nowMs = typeof env.kvadmTestClock === 'function' ? env.kvadmTestClock() : Date.now();
    return await route({ request, url: new URL(request.url), env, nowMs });
  } catch (error) {
    return failure(runtimeFailure(error));
  }
}

/** Azion's ES module handler form: `export default { fetch(request, env, ctx) }`. */
export default {
  fetch(request: Request, env?: BridgeEnv): Promise<Response> {
    return handleRequest(request, env ?? {});
  },
};
