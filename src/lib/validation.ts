/**
 * Pure validators for every limit in limits.ts. Each takes raw input (and `now` where
 * time matters), returns the parsed value, and throws a ValidationError naming the
 * parameter, the value received and the limit. Every write and read path calls these.
 */
import { LIMITS, NAMESPACE_NAME_PATTERN } from './limits.js';
import { ValidationError, displayKey } from './errors.js';

export { displayKey };

const encoder = new TextEncoder();

export function utf8Length(text: string): number {
  return Buffer.byteLength(text, 'utf8');
}

/** A UTF-16 code unit of a surrogate pair standing alone: such a string has no UTF-8 form. */
const LONE_SURROGATE = /\p{Surrogate}/u;

/** Keys: 1..512 UTF-8 bytes; not "." or ".." (they cannot travel as a URL path segment). */
export function validateKey(key: unknown): string {
  if (typeof key !== 'string') {
    throw new ValidationError('KEY_EMPTY', `key must be a string, got ${typeof key}`, {
      hint: 'give a key of 1 to 512 bytes',
    });
  }
  if (key.length === 0) {
    throw new ValidationError('KEY_EMPTY', 'key is empty: keys must be 1 to 512 bytes of UTF-8', {
      hint: 'give a non-empty key',
      details: { limit: LIMITS.keyMaxBytes, actual: 0 },
      wireMessage: 'Key names must not be empty.',
    });
  }
  if (key === '.' || key === '..') {
    throw new ValidationError('KEY_RESERVED', `key ${displayKey(key)} is reserved: "." and ".." cannot be used as keys`, {
      hint: 'choose another key name',
      details: { key },
      wireMessage: 'Illegal key name: "." and ".." are not allowed.',
    });
  }
  if (LONE_SURROGATE.test(key)) {
    // Stored, it would come back from a listing as U+FFFD: a name that reads nothing.
    throw new ValidationError('KEY_INVALID', `key ${displayKey(key)} is not valid Unicode: it contains a lone surrogate (U+D800-U+DFFF)`, {
      hint: 'keys must be well-formed text; check how the key was built (a string cut in the middle of an emoji?)',
      details: { key },
      wireMessage: 'Key names must be valid UTF-8.',
    });
  }
  const bytes = utf8Length(key);
  if (bytes > LIMITS.keyMaxBytes) {
    const wire = `UTF-8 encoded length of ${bytes} exceeds key length limit of ${LIMITS.keyMaxBytes}.`;
    throw new ValidationError('KEY_TOO_LONG', wire, {
      key,
      hint: `shorten the key to at most ${LIMITS.keyMaxBytes} bytes (multi-byte characters count 2-4 bytes each)`,
      details: { limit: LIMITS.keyMaxBytes, actual: bytes },
      httpStatus: 414,
      wireMessage: wire,
    });
  }
  return key;
}

/**
 * `readFrom` names an input that was read only up to the limit (stdin, a device, a FIFO):
 * its real size is unknown, so the message says "more than" instead of a number.
 */
export function validateValueSize(byteLength: number, key?: string, readFrom?: string): void {
  if (byteLength > LIMITS.valueMaxBytes) {
    const wire =
      readFrom === undefined
        ? `Value length of ${byteLength} exceeds limit of ${LIMITS.valueMaxBytes}.`
        : `Value length of more than ${LIMITS.valueMaxBytes} exceeds limit of ${LIMITS.valueMaxBytes} (stopped reading ${readFrom} there).`;
    throw new ValidationError('VALUE_TOO_LARGE', wire, {
      key,
      hint: 'values are limited to 25 MiB (26,214,400 bytes); split the value across several keys',
      details: { limit: LIMITS.valueMaxBytes, actual: byteLength },
      httpStatus: 413,
      wireMessage: wire,
    });
  }
}

/**
 * Metadata must be JSON-serialisable and at most 1024 bytes once serialised.
 * Returns the serialised text, or null for no metadata (undefined or null).
 */
export function serializeMetadata(metadata: unknown, key?: string): string | null {
  if (metadata === undefined || metadata === null) return null;
  let text: string | undefined;
  try {
    text = JSON.stringify(metadata);
  } catch (cause) {
    throw new ValidationError('METADATA_INVALID', `metadata is not JSON-serialisable: ${(cause as Error).message}`, {
      key,
      hint: 'metadata must be plain JSON (objects, arrays, strings, numbers, booleans, null)',
      cause,
    });
  }
  if (text === undefined) {
    throw new ValidationError('METADATA_INVALID', `metadata of type ${typeof metadata} is not JSON-serialisable`, {
      key,
      hint: 'metadata must be plain JSON',
    });
  }
  return checkMetadataText(text, key);
}

/** Metadata given as JSON text (a flag, an HTTP part, a CSV cell): parse, then check the size. */
export function parseMetadataText(text: string, key?: string): string {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (cause) {
    throw new ValidationError('METADATA_INVALID', `metadata is not valid JSON: ${(cause as Error).message}`, {
      key,
      hint: `give metadata as JSON, for example '{"owner":"ops"}'`,
      cause,
    });
  }
  return checkMetadataText(JSON.stringify(parsed), key);
}

function checkMetadataText(text: string, key: string | undefined): string {
  const bytes = utf8Length(text);
  if (bytes > LIMITS.metadataMaxBytes) {
    const wire = `Metadata length of ${bytes} exceeds limit of ${LIMITS.metadataMaxBytes}.`;
    throw new ValidationError('METADATA_TOO_LARGE', wire, {
      key,
      hint: `metadata is limited to ${LIMITS.metadataMaxBytes} bytes of serialised JSON; store large data in the value`,
      details: { limit: LIMITS.metadataMaxBytes, actual: bytes },
      httpStatus: 413,
      wireMessage: wire,
    });
  }
  return text;
}

function isWholeNumber(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value) && Number.isInteger(value);
}

/** A value as a message shows it: strings quoted (so "" and " 60" are visible), the rest as is. */
function shown(value: unknown): string {
  return typeof value === 'string' ? JSON.stringify(value) : String(value);
}

/** Digit strings (a CSV cell, a query parameter) read as the number they spell. */
function wholeFromText(value: unknown): unknown {
  return typeof value === 'string' && /^-?\d+$/.test(value) ? Number(value) : value;
}

export function validateExpirationTtl(ttl: unknown, key?: string): number {
  const n = wholeFromText(ttl);
  if (!isWholeNumber(n)) {
    // 90.5 or "x" is not "less than 60": name the rule it breaks.
    const wire = `Invalid expiration_ttl of ${shown(ttl)}. Expiration TTL must be a whole number of seconds.`;
    throw new ValidationError('EXPIRATION_TTL_INVALID', wire, {
      key,
      hint: `give a whole number of seconds of at least ${LIMITS.minExpirationTtlSeconds}, such as 3600`,
      details: { ...(typeof n === 'number' ? { actual: n } : {}) },
      wireMessage: wire,
    });
  }
  if (n < LIMITS.minExpirationTtlSeconds) {
    const wire = `Invalid expiration_ttl of ${String(ttl)}. Expiration TTL must be at least ${LIMITS.minExpirationTtlSeconds}.`;
    throw new ValidationError('EXPIRATION_TTL_INVALID', wire, {
      key,
      hint: `give a whole number of seconds of at least ${LIMITS.minExpirationTtlSeconds}`,
      details: { limit: LIMITS.minExpirationTtlSeconds, actual: n },
      wireMessage: wire,
    });
  }
  return n;
}

/**
 * An absolute expiration in unix seconds, at least 60 s after `nowMs`. ISO-8601 text is
 * read before this (parseExpiration: the --expiration flag, import files); here, as in
 * the runtime API and the wire protocol, only unix seconds are taken.
 */
export function validateExpiration(expiration: unknown, nowMs: number, key?: string): number {
  const n = wholeFromText(expiration);
  const earliest = Math.floor(nowMs / 1000) + LIMITS.minExpirationOffsetSeconds;
  if (!isWholeNumber(n)) {
    const wire = `Invalid expiration of ${shown(expiration)}. Expiration times must be a whole number of seconds since the epoch (unix time).`;
    throw new ValidationError('EXPIRATION_INVALID', wire, {
      key,
      hint: `give unix seconds of at least ${earliest} (now + ${LIMITS.minExpirationOffsetSeconds} s), or use a TTL`,
      details: { ...(typeof n === 'number' ? { actual: n } : {}) },
      wireMessage: wire,
    });
  }
  if (n < earliest) {
    const wire = `Invalid expiration of ${String(expiration)}. Expiration times must be at least ${LIMITS.minExpirationOffsetSeconds} seconds in the future.`;
    throw new ValidationError('EXPIRATION_INVALID', wire, {
      key,
      hint: `give unix seconds of at least ${earliest} (now + ${LIMITS.minExpirationOffsetSeconds} s), or use a TTL`,
      details: { limit: earliest, actual: n },
      wireMessage: wire,
    });
  }
  return checkLatestExpiration(n, 'expiration', String(expiration), key);
}

/** Refuse an expiry past LIMITS.maxExpirationSeconds (whether given absolute or as a TTL). */
function checkLatestExpiration(expiration: number, parameter: 'expiration' | 'expiration_ttl', given: string, key?: string): number {
  if (expiration <= LIMITS.maxExpirationSeconds) return expiration;
  const wire = `Invalid ${parameter} of ${given}. Expiration times must be no later than ${LIMITS.maxExpirationSeconds} (9999-12-31T23:59:59Z).`;
  const looksLikeMs = parameter === 'expiration' && expiration > 1e11 && expiration / 1000 <= LIMITS.maxExpirationSeconds;
  throw new ValidationError(parameter === 'expiration' ? 'EXPIRATION_INVALID' : 'EXPIRATION_TTL_INVALID', wire, {
    key,
    hint: looksLikeMs
      ? `${given} looks like milliseconds: expirations are unix seconds (${Math.floor(expiration / 1000)})`
      : 'give an expiry before the year 10000',
    details: { limit: LIMITS.maxExpirationSeconds, actual: expiration },
    wireMessage: wire,
  });
}

export interface ExpirationOptions {
  /** Absolute expiry, unix seconds. */
  expiration?: number | undefined;
  /** Seconds from now; wins over `expiration` when both are given (as on the wire). */
  expirationTtl?: number | undefined;
}

/** The absolute expiry (unix seconds) a write asks for, or null for none. */
export function resolveExpiration(options: ExpirationOptions, nowMs: number, key?: string): number | null {
  if (options.expirationTtl !== undefined && options.expirationTtl !== null) {
    const ttl = validateExpirationTtl(options.expirationTtl, key);
    return checkLatestExpiration(Math.floor(nowMs / 1000) + ttl, 'expiration_ttl', String(options.expirationTtl), key);
  }
  if (options.expiration !== undefined && options.expiration !== null) {
    return validateExpiration(options.expiration, nowMs, key);
  }
  return null;
}

export function validateCacheTtl(cacheTtl: unknown): number {
  if (!isWholeNumber(cacheTtl) || cacheTtl < LIMITS.minCacheTtlSeconds) {
    const rule = isWholeNumber(cacheTtl) ? `at least ${LIMITS.minCacheTtlSeconds}` : 'a whole number of seconds';
    const wire = `Invalid cache_ttl of ${shown(cacheTtl)}. Cache TTL must be ${rule}.`;
    throw new ValidationError('CACHE_TTL_INVALID', wire, {
      hint: `give a whole number of seconds of at least ${LIMITS.minCacheTtlSeconds}`,
      details: { limit: LIMITS.minCacheTtlSeconds, ...(typeof cacheTtl === 'number' ? { actual: cacheTtl } : {}) },
      wireMessage: wire,
    });
  }
  return cacheTtl;
}

export function validateNamespaceName(name: unknown): string {
  if (typeof name !== 'string' || !NAMESPACE_NAME_PATTERN.test(name)) {
    const shown = typeof name === 'string' ? JSON.stringify(name) : String(name);
    const length = typeof name === 'string' ? name.length : 0;
    throw new ValidationError(
      'NAMESPACE_NAME_INVALID',
      `invalid namespace name ${shown}: names are 1 to ${LIMITS.namespaceNameMaxChars} characters of A-Z a-z 0-9 . _ - and do not start with "."`,
      {
        hint: 'choose a name like "users", "cache-v2" or "app.sessions"',
        details: { namespace: typeof name === 'string' ? name : String(name), limit: LIMITS.namespaceNameMaxChars, actual: length },
      },
    );
  }
  return name;
}

/** A listing prefix: any text a key could start with (lone surrogates can start none). */
export function validatePrefix(prefix: string): string {
  if (LONE_SURROGATE.test(prefix)) {
    throw new ValidationError(
      'KEY_INVALID',
      `prefix ${displayKey(prefix)} is not valid Unicode: it contains a lone surrogate (U+D800-U+DFFF)`,
      {
        hint: 'give a prefix of well-formed text',
        wireMessage: 'Prefixes must be valid UTF-8.',
      },
    );
  }
  return prefix;
}

/** The largest page a listing may ask for: a listing with digests more than a plain one. */
export function listLimitMax(digest: boolean): number {
  return digest ? LIMITS.digestListMaxLimit : LIMITS.listMaxLimit;
}

/** A listing's page size: 1 to `max` (listLimitMax). */
export function validateListLimit(limit: unknown, max: number = LIMITS.listMaxLimit): number {
  if (!isWholeNumber(limit) || limit < 1 || limit > max) {
    throw new ValidationError('LIST_LIMIT_INVALID', `invalid list limit ${String(limit)}: it must be 1 to ${max}`, {
      hint: `use --all to list every key, or a --limit of at most ${max}`,
      details: { limit: max, ...(typeof limit === 'number' ? { actual: limit } : {}) },
    });
  }
  return limit;
}

export function toBytes(text: string): Uint8Array {
  return encoder.encode(text);
}
