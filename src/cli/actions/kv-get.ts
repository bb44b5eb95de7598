/** What `kv get` does once its arguments are parsed (by oclif or by src/cli/dispatch.ts). */
import fs from 'node:fs';
import type KvGetCommand from '../../commands/kv/get.js';
import { parseDuration } from '../../lib/duration.js';
import { toJsonValue } from '../../lib/encoding.js';
import { KeyNotFoundError, UsageError } from '../../lib/errors.js';
import type { KV } from '../../lib/kv.js';
// The leaf, not term/index.js: this file is on the fast path, which loads no module it does not use (see term/index.ts).
import { writeStdout } from '../../lib/term/output.js';
import { bytesToValue } from '../../lib/values.js';
import type { CommandSession } from '../command-session.js';
import { counted } from '../../lib/words.js';

export const KV_GET_TYPES = ['binary', 'text', 'json'] as const;
export type KvGetType = (typeof KV_GET_TYPES)[number];

export async function action(session: CommandSession<typeof KvGetCommand>): Promise<KvGetResult> {
  const kv = await session.namespace();
  return kvGet(kv, {
    key: session.args.key,
    type: session.flags.type as KvGetType,
    withMetadata: session.flags['with-metadata'],
    cacheTtl: session.flags['cache-ttl'],
    out: session.flags.out,
    json: session.json,
    info: (message) => session.info(message),
  });
}

export interface KvGetInput {
  key: string;
  type: KvGetType;
  withMetadata: boolean;
  cacheTtl: string | undefined;
  out: string | undefined;
  /** --json: the caller prints the result; nothing is written here. */
  json: boolean;
  /** Where human messages go (stderr). */
  info: (message: string) => void;
}

export interface KvGetResult {
  key: string;
  value: string;
  /** Present when `value` is base64 of bytes that are not UTF-8. */
  base64?: true;
  metadata: unknown;
  expiration: number | null;
}

export async function kvGet(kv: KV, input: KvGetInput): Promise<KvGetResult> {
  const { key } = input;
  const cacheTtl = input.cacheTtl === undefined ? undefined : parseDuration(input.cacheTtl, '--cache-ttl');
  const entry = await kv.getEntry(key, cacheTtl === undefined ? {} : { cacheTtl });
  if (entry === null) throw new KeyNotFoundError(key, kv.name);
  const result: KvGetResult = { key, ...toJsonValue(entry.value), metadata: entry.metadata, expiration: entry.expiration };
  if (input.json) return result;
  if (input.withMetadata) {
    await writeStdout(`${JSON.stringify(result, null, 2)}\n`);
    return result;
  }
  const output = render(entry.value, input.type, key);
  if (input.out) {
    try {
      fs.writeFileSync(input.out, output);
    } catch (error) {
      throw new UsageError(
        `cannot write --out ${input.out}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
        'check that the folder exists and is writable',
      );
    }
    input.info(`wrote ${counted(output.byteLength, 'byte')} to ${input.out}`);
  } else {
    await writeStdout(output);
  }
  return result;
}

function render(bytes: Uint8Array, type: KvGetType, key: string): Uint8Array {
  switch (type) {
    case 'text':
      return Buffer.from(bytesToValue(bytes, 'text', key) as string, 'utf8');
    case 'json':
      return Buffer.from(`${JSON.stringify(bytesToValue(bytes, 'json', key), null, 2)}\n`, 'utf8');
    case 'binary':
      return bytes;
    default:
      throw new UsageError(`unknown --type ${String(type)}`, `use one of ${KV_GET_TYPES.join(', ')}`);
  }
}
