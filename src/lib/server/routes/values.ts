/** Single-key routes: list keys, read / write / delete a value, read metadata. */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { MultipartFile, MultipartValue } from '@fastify/multipart';
import { LIMITS } from '../../limits.js';
import { KeyNotFoundError } from '../../errors.js';
import type { PutOptions } from '../../kv.js';
import { listLimitMax, parseMetadataText, validateListLimit } from '../../validation.js';
import { VALIDATION_WIRE_CODES, WIRE_CODES, WireError, badRequest, success } from '../envelope.js';
import { API_PREFIX, SEGMENT_AFTER_NAMESPACE, type ServerContext, contentLengthLimit, kvOf, namespaceParam } from '../context.js';
import { keyFromUrl } from '../keys.js';
import { retryAfterSeconds } from '../write-limiter.js';

/** Room for the multipart framing and the metadata part around a value of the maximum size. */
const MULTIPART_OVERHEAD = 64 * 1024;

/** `expiration` / `expiration_ttl` from a query string or a bulk item, still unvalidated. */
export function expirationOptions(expiration: unknown, expirationTtl: unknown): PutOptions {
  const options: Record<string, unknown> = {};
  if (expiration !== undefined && expiration !== null && expiration !== '') options.expiration = expiration;
  if (expirationTtl !== undefined && expirationTtl !== null && expirationTtl !== '') options.expirationTtl = expirationTtl;
  // The validators take digit strings and numbers alike and name anything else.
  return options as PutOptions;
}

function rateLimited(waitMs: number, key: string): WireError {
  const seconds = retryAfterSeconds(waitMs);
  return new WireError(
    429,
    WIRE_CODES.rateLimited,
    `Too many writes to key ${JSON.stringify(key)}: at most ${LIMITS.writesPerKeyPerSecond} write per second to the same key.`,
    { 'retry-after': String(seconds) },
  );
}

export function registerValueRoutes(app: FastifyInstance, ctx: ServerContext): void {
  const { locks } = ctx;
  const keyOf = (request: FastifyRequest) => keyFromUrl(request.raw.url ?? '', SEGMENT_AFTER_NAMESPACE + 1);

  app.get(`${API_PREFIX}/:ns/keys`, async (request) => {
    const kv = kvOf(ctx, namespaceParam(request));
    const query = request.query as Record<string, string | undefined>;
    // docs/PROTOCOL.md says 10..1000 (10,000 with digest=true); kvadm also takes 1..9 (what `kv list --limit` allows locally).
    // kv.list validates it, so a bad limit gets LIST_LIMIT_INVALID's code like everywhere else.
    const rawLimit = query.limit;
    const limit =
      rawLimit === undefined || rawLimit === ''
        ? LIMITS.listMaxLimit
        : /^\d+$/.test(rawLimit)
          ? Number(rawLimit)
          : validateListLimit(rawLimit, listLimitMax(query.digest === 'true'));
    const page = await kv.list({
      limit,
      ...(query.prefix ? { prefix: query.prefix } : {}),
      ...(query.cursor ? { cursor: query.cursor } : {}),
      // kvadm's extension: each key's value digest, so a client compares without reading values.
      ...(query.digest === 'true' ? { digest: true } : {}),
    });
    return success(page.keys, { count: page.keys.length, cursor: page.list_complete ? '' : (page.cursor ?? '') });
  });

  app.get(`${API_PREFIX}/:ns/values/*`, async (request, reply) => {
    const kv = kvOf(ctx, namespaceParam(request));
    const key = keyOf(request);
    const entry = await kv.getEntry(key);
    if (entry === null) throw new KeyNotFoundError(key, kv.name);
    reply.header('content-type', 'application/octet-stream');
    if (entry.expiration !== null) reply.header('expiration', String(entry.expiration));
    return reply.send(Buffer.from(entry.value.buffer, entry.value.byteOffset, entry.value.byteLength));
  });

  app.get(`${API_PREFIX}/:ns/metadata/*`, async (request) => {
    const kv = kvOf(ctx, namespaceParam(request));
    const key = keyOf(request);
    const entry = await kv.getEntry(key);
    if (entry === null) throw new KeyNotFoundError(key, kv.name);
    return success(entry.metadata);
  });

  app.put(
    `${API_PREFIX}/:ns/values/*`,
    {
      bodyLimit: LIMITS.valueMaxBytes,
      onRequest: contentLengthLimit(
        (request) => LIMITS.valueMaxBytes + (/^multipart\//i.test(request.headers['content-type'] ?? '') ? MULTIPART_OVERHEAD : 0),
        (bytes) =>
          new WireError(413, VALIDATION_WIRE_CODES.VALUE_TOO_LARGE, `Value length of ${bytes} exceeds limit of ${LIMITS.valueMaxBytes}.`),
      ),
    },
    async (request, reply) => {
      const kv = kvOf(ctx, namespaceParam(request));
      const key = keyOf(request);
      const query = request.query as Record<string, string | undefined>;
      const options = expirationOptions(query.expiration, query.expiration_ttl);
      let value: Uint8Array;
      if (request.isMultipart()) {
        const form = await readForm(request);
        value = form.value;
        if (form.metadata !== undefined) options.metadata = JSON.parse(parseMetadataText(form.metadata, key));
      } else {
        value = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
      }
      const entry = await kv.prepareEntry(key, value, options);
      await locks.run([kv.name], async () => {
        const waitMs = ctx.limiter?.tryWrite(kv.name, key) ?? 0;
        if (waitMs > 0) throw rateLimited(waitMs, key);
        await kv.putEntry(entry);
      });
      return reply.send(success({}));
    },
  );

  app.delete(`${API_PREFIX}/:ns/values/*`, async (request) => {
    const kv = kvOf(ctx, namespaceParam(request));
    const key = keyOf(request);
    await locks.run([kv.name], () => kv.delete(key));
    return success({});
  });
}

/** The `value` and `metadata` parts of a multipart write; any other part is refused. */
async function readForm(request: FastifyRequest): Promise<{ value: Uint8Array; metadata?: string }> {
  let value: Uint8Array | undefined;
  let metadata: string | undefined;
  const parts = request.parts({
    limits: { fileSize: LIMITS.valueMaxBytes, fieldSize: LIMITS.valueMaxBytes, parts: 10, fields: 10, files: 2 },
  });
  for await (const part of parts) {
    if (part.fieldname === 'value') {
      value = part.type === 'file' ? await readFilePart(part as MultipartFile) : fieldBytes(part as MultipartValue);
    } else if (part.fieldname === 'metadata') {
      metadata = (part.type === 'file' ? await readFilePart(part as MultipartFile) : fieldBytes(part as MultipartValue)).toString('utf8');
    } else {
      if (part.type === 'file') (part as MultipartFile).file.resume();
      if (part.fieldname.startsWith('metadata[')) {
        throw badRequest('send metadata as one "metadata" part holding JSON text (with the cloudflare SDK: metadata: JSON.stringify(...))');
      }
      throw badRequest(`unexpected multipart part ${JSON.stringify(part.fieldname)}: send "value" and optionally "metadata"`);
    }
  }
  if (value === undefined) throw badRequest('the multipart body has no "value" part');
  return metadata === undefined ? { value } : { value, metadata };
}

function valueTooLarge(): WireError {
  return new WireError(
    413,
    VALIDATION_WIRE_CODES.VALUE_TOO_LARGE,
    `Value length of more than ${LIMITS.valueMaxBytes} exceeds limit of ${LIMITS.valueMaxBytes}.`,
  );
}

function fieldBytes(part: MultipartValue): Buffer {
  // busboy cuts a field at the limit and says so.
  if ((part as MultipartValue & { valueTruncated?: boolean }).valueTruncated) throw valueTooLarge();
  return Buffer.from(String(part.value), 'utf8');
}

async function readFilePart(part: MultipartFile): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of part.file as AsyncIterable<Buffer>) {
    total += chunk.byteLength;
    chunks.push(chunk);
  }
  // busboy stops at the limit and marks the part truncated: the value had more bytes than that.
  if (part.file.truncated) throw valueTooLarge();
  return Buffer.concat(chunks, total);
}
