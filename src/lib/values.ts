/**
 * Converting between the value types of the KV API and stored bytes. Writes accept
 * strings, JSON-serialisable objects, ArrayBuffer / typed arrays and streams; reads
 * return `text`, `json`, `arrayBuffer` or `stream`. Streams are read with the size
 * limit enforced as bytes arrive, so an oversize stream fails early.
 */
import { LIMITS } from './limits.js';
import { ValidationError } from './errors.js';
import { displayKey, validateValueSize } from './validation.js';

export type ValueType = 'text' | 'json' | 'arrayBuffer' | 'stream';
export type PutValue =
  | string
  | ArrayBuffer
  | ArrayBufferView
  | ReadableStream<Uint8Array>
  | AsyncIterable<Uint8Array>
  | Record<string, unknown>
  | unknown[]
  | number
  | boolean;

// ignoreBOM: a leading U+FEFF is part of the value and is kept, as export and `kv get` keep it.
const textDecoder = new TextDecoder('utf-8', { ignoreBOM: true });

function isAsyncIterable(value: unknown): value is AsyncIterable<Uint8Array> {
  return typeof value === 'object' && value !== null && Symbol.asyncIterator in value;
}

function isWebStream(value: unknown): value is ReadableStream<Uint8Array> {
  return typeof value === 'object' && value !== null && typeof (value as ReadableStream).getReader === 'function';
}

/** A value that needs no reading: everything but streams. */
export type SyncPutValue = Exclude<PutValue, ReadableStream<Uint8Array> | AsyncIterable<Uint8Array>>;

/** True for the value types that must be read asynchronously (web streams, async iterables). */
export function isStreamValue(value: unknown): value is ReadableStream<Uint8Array> | AsyncIterable<Uint8Array> {
  return isWebStream(value) || (isAsyncIterable(value) && !ArrayBuffer.isView(value));
}

/** Bytes of a value to write; the 25 MiB limit is checked here. */
export async function valueToBytes(value: PutValue, key?: string): Promise<Uint8Array> {
  let bytes: Uint8Array;
  if (isWebStream(value)) {
    bytes = await readStream(streamChunks(value), key);
  } else if (isAsyncIterable(value)) {
    bytes = await readStream(value, key);
  } else {
    return valueToBytesSync(value, key);
  }
  validateValueSize(bytes.byteLength, key);
  return bytes;
}

/**
 * Bytes of a value that is not a stream, synchronously (bulk imports convert millions
 * of values and cannot afford a promise each). The 25 MiB limit is checked here.
 */
export function valueToBytesSync(value: SyncPutValue, key?: string): Uint8Array {
  let bytes: Uint8Array;
  if (typeof value === 'string') {
    bytes = Buffer.from(value, 'utf8');
  } else if (value instanceof ArrayBuffer) {
    bytes = new Uint8Array(value);
  } else if (ArrayBuffer.isView(value)) {
    bytes = value instanceof Uint8Array ? value : new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
  } else if (value === undefined || value === null || typeof value === 'function' || typeof value === 'symbol') {
    throw new ValidationError('VALUE_INVALID', `a value is required (got ${value === null ? 'null' : typeof value})`, {
      key,
      hint: 'give a string, a JSON object, bytes or a stream',
    });
  } else {
    // Objects, arrays, numbers and booleans are stored as their JSON text, as the runtime API does.
    bytes = Buffer.from(JSON.stringify(value), 'utf8');
  }
  validateValueSize(bytes.byteLength, key);
  return bytes;
}

async function* streamChunks(stream: ReadableStream<Uint8Array>): AsyncIterable<Uint8Array> {
  const reader = stream.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      yield value;
    }
  } finally {
    reader.releaseLock();
  }
}

/**
 * All the bytes of a stream, refused as soon as they pass 25 MiB: at most the limit is
 * kept and reading stops there, so an endless source (`cat /dev/zero |`) fails at once
 * instead of filling memory. `readFrom` names the source in that message.
 */
export async function readStream(
  chunks: AsyncIterable<Uint8Array | string>,
  key: string | undefined,
  readFrom = 'the stream',
): Promise<Uint8Array> {
  const parts: Buffer[] = [];
  let total = 0;
  for await (const chunk of chunks) {
    const buffer = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    total += buffer.byteLength;
    // Leaving the loop (by this throw) ends the iteration: a Node stream is destroyed, a file closed.
    if (total > LIMITS.valueMaxBytes) validateValueSize(total, key, readFrom);
    parts.push(buffer);
  }
  return Buffer.concat(parts, total);
}

/** A stored value in the type a reader asked for. */
export function bytesToValue(bytes: Uint8Array, type: ValueType, key?: string): unknown {
  switch (type) {
    case 'text':
      return textDecoder.decode(bytes);
    case 'json': {
      // A leading byte-order mark is not part of the JSON text (RFC 8259 lets parsers skip it).
      const decoded = textDecoder.decode(bytes);
      const text = decoded.charCodeAt(0) === 0xfeff ? decoded.slice(1) : decoded;
      try {
        return JSON.parse(text);
      } catch (cause) {
        throw new ValidationError(
          'VALUE_INVALID',
          `${key === undefined ? 'the value' : `the value of key ${displayKey(key)}`} is not valid JSON: ${(cause as Error).message}`,
          {
            hint: 'read it as text instead',
            ...(key === undefined ? {} : { details: { key } }),
            cause,
          },
        );
      }
    }
    case 'arrayBuffer':
      return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
    case 'stream':
      return new ReadableStream<Uint8Array>({
        start(controller) {
          controller.enqueue(new Uint8Array(bytes));
          controller.close();
        },
      });
    default:
      throw new ValidationError('VALUE_INVALID', `unknown value type ${JSON.stringify(type)}`, {
        hint: 'use one of text, json, arrayBuffer, stream',
      });
  }
}
