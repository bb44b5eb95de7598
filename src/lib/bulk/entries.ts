/**
 * From a record of a bulk file to an entry ready to store. Shape checks live here (is
 * there a key, is the base64 valid, is `base64` a boolean); every limit is checked by
 * the KV client's prepareEntrySync, the path every write takes.
 */
import type { StoredEntry } from '../backends/backend.js';
import { ValidationError } from '../errors.js';
import type { KV, PutOptions, SyncPutValue } from '../kv.js';
import { csvBoolean } from '../formats/csv.js';
import type { CsvColumns, RecordBatch } from '../formats/types.js';
import { validateKey, validateValueSize } from '../validation.js';
import { parseExpiration } from '../duration.js';

const ENTRY_HINT = 'each entry is an object {"key": "...", "value": "...", "expiration"?, "expiration_ttl"?, "metadata"?, "base64"?}';

function typeName(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}

/** Turns records of a batch into entries; throws ValidationError for a bad one. */
export class EntryBuilder {
  /** Unknown fields met while reading entries, with how often: reported once as a warning. */
  readonly unknownFields = new Map<string, number>();

  constructor(private readonly kv: KV) {}

  build(batch: RecordBatch, i: number, nowMs: number): StoredEntry {
    const record = batch.records[i];
    switch (batch.kind) {
      case 'entry':
        return this.fromObject(record, nowMs);
      case 'pair': {
        const [key, value] = record as [string, unknown];
        return this.finish(key, value, false, {}, nowMs);
      }
      case 'row':
        return this.fromRow(record as string[], batch.columns as CsvColumns, nowMs);
    }
  }

  /** The key of a record, if it has a usable one (for reports). */
  keyOf(batch: RecordBatch, i: number): string | undefined {
    const record = batch.records[i];
    let key: unknown;
    if (batch.kind === 'entry') key = record !== null && typeof record === 'object' ? (record as { key?: unknown }).key : undefined;
    else if (batch.kind === 'pair') key = (record as [string, unknown])[0];
    else key = (record as string[])[(batch.columns as CsvColumns).key];
    return typeof key === 'string' ? key : undefined;
  }

  private fromObject(record: unknown, nowMs: number): StoredEntry {
    if (record === null || typeof record !== 'object' || Array.isArray(record)) {
      throw new ValidationError('ENTRY_INVALID', `the entry is ${typeName(record)}, not an object`, { hint: ENTRY_HINT });
    }
    const entry = record as Record<string, unknown>;
    for (const field in entry) {
      switch (field) {
        case 'key':
        case 'value':
        case 'expiration':
        case 'expiration_ttl':
        case 'metadata':
        case 'base64':
          break;
        default:
          this.unknownFields.set(field, (this.unknownFields.get(field) ?? 0) + 1);
      }
    }
    const base64 = entry.base64;
    if (base64 !== undefined && base64 !== null && typeof base64 !== 'boolean') {
      throw new ValidationError('FIELD_INVALID', `"base64" must be true or false, got ${JSON.stringify(base64)}`, { hint: ENTRY_HINT });
    }
    const options: PutOptions = {};
    if (entry.expiration !== undefined && entry.expiration !== null) options.expiration = entry.expiration as number;
    if (entry.expiration_ttl !== undefined && entry.expiration_ttl !== null) options.expirationTtl = entry.expiration_ttl as number;
    if (entry.metadata !== undefined) options.metadata = entry.metadata;
    return this.finish(entry.key, entry.value, base64 === true, options, nowMs);
  }

  private fromRow(row: string[], columns: CsvColumns, nowMs: number): StoredEntry {
    const options: PutOptions = {};
    const key = row[columns.key];
    if (columns.metadata >= 0) {
      const text = row[columns.metadata] as string;
      if (text !== '') options.metadata = parseMetadataCell(text, key);
    }
    if (columns.expiration >= 0) {
      const text = row[columns.expiration] as string;
      if (text !== '') options.expiration = text as unknown as number;
    }
    if (columns.expirationTtl >= 0) {
      const text = row[columns.expirationTtl] as string;
      if (text !== '') options.expirationTtl = text as unknown as number;
    }
    let base64 = false;
    if (columns.base64 >= 0) {
      const flag = csvBoolean(row[columns.base64]);
      if (typeof flag === 'string') {
        throw new ValidationError('FIELD_INVALID', `the base64 cell must be true or false (or empty), got ${JSON.stringify(flag)}`, {
          hint: 'write true for a base64 value, leave the cell empty otherwise',
        });
      }
      base64 = flag;
    }
    return this.finish(key === '' ? undefined : key, row[columns.value], base64, options, nowMs);
  }

  private finish(key: unknown, value: unknown, base64: boolean, options: PutOptions, nowMs: number): StoredEntry {
    if (key === undefined || key === null) {
      throw new ValidationError('KEY_MISSING', 'the entry has no key', { hint: ENTRY_HINT });
    }
    if (typeof key !== 'string') {
      throw new ValidationError('FIELD_INVALID', `the key must be a string, got ${typeName(key)}`, { hint: ENTRY_HINT });
    }
    validateKey(key);
    // Text in a file's `expiration` (a CSV cell, a JSON string) is read as `kv put --expiration`
    // reads it: unix seconds or ISO-8601 with a zone. Numbers go to the validator as they are.
    const expiration: unknown = options.expiration;
    if (typeof expiration === 'string') options.expiration = parseExpiration(expiration, 'expiration', key);
    if (value === undefined) {
      throw new ValidationError('VALUE_MISSING', 'the entry has no value', { key, hint: ENTRY_HINT });
    }
    if (value === null) {
      throw new ValidationError('VALUE_INVALID', 'the value is null', {
        key,
        hint: 'give a string (or any JSON value, stored as its JSON text)',
      });
    }
    let storedValue: SyncPutValue;
    if (base64) {
      if (typeof value !== 'string') {
        throw new ValidationError('BASE64_INVALID', `"base64" is true but the value is ${typeName(value)}`, {
          key,
          hint: 'a base64 value must be a string',
        });
      }
      storedValue = decodeBase64(value, key);
    } else {
      storedValue = value as SyncPutValue;
    }
    return this.kv.prepareEntrySync(key, storedValue, options, nowMs);
  }
}

function parseMetadataCell(text: string, key: string | undefined): unknown {
  try {
    return JSON.parse(text);
  } catch (cause) {
    throw new ValidationError('METADATA_INVALID', `metadata is not valid JSON: ${(cause as Error).message}`, {
      key: key || undefined,
      hint: `give metadata as JSON text, for example {"owner":"ops"} (in CSV: "{""owner"":""ops""}")`,
    });
  }
}

const BASE64_ALPHABET = /^[A-Za-z0-9+/]*={0,2}$/;

/** Strict base64 (RFC 4648 §4, padded, canonical): anything else is refused, never guessed. */
export function decodeBase64(text: string, key: string): Buffer {
  const fail = (problem: string): never => {
    throw new ValidationError('BASE64_INVALID', `the value is not valid base64: ${problem}`, {
      key,
      hint: 'give standard base64 with "=" padding (no line breaks, no URL-safe - or _), or drop "base64": true for text',
    });
  };
  if (!BASE64_ALPHABET.test(text)) {
    const bad = /[^A-Za-z0-9+/=]|=(?=[^=])/.exec(text);
    if (bad) {
      const shown = bad[0] === '=' ? '"=" before the end' : `character ${JSON.stringify(bad[0])}`;
      fail(`${shown} at position ${bad.index}`);
    }
    fail('too much "=" padding');
  }
  if (text.length % 4 !== 0) fail(`its length ${text.length} is not a multiple of 4 (missing "=" padding?)`);
  // The decoded size follows from the length: an oversized value is refused without decoding it.
  validateValueSize((text.length / 4) * 3 - (text.endsWith('==') ? 2 : text.endsWith('=') ? 1 : 0), key);
  // Only the last 4 characters can carry bits no encoder writes: re-encoding them is enough.
  const last = text.slice(-4);
  if (Buffer.from(last, 'base64').toString('base64') !== last)
    fail('the last character has bits set that no encoder writes (not canonical)');
  return Buffer.from(text, 'base64');
}
