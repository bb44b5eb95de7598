/** What `kv put` does once its arguments are parsed (by oclif or by src/cli/dispatch.ts). */
import type KvPutCommand from '../../commands/kv/put.js';
import { parseDuration, parseExpiration } from '../../lib/duration.js';
import { parseMetadataText } from '../../lib/validation.js';
import { checkJsonValue, chooseValueSource, readValueSource } from './kv-put-value.js';
import type { CommandSession } from '../command-session.js';

export interface KvPutResult {
  namespace: string;
  key: string;
  bytes: number;
  expiration: number | null;
  metadata: unknown;
}

export async function action(session: CommandSession<typeof KvPutCommand>): Promise<KvPutResult> {
  const { flags, args } = session;
  const { key } = args;
  const source = chooseValueSource(args.value, flags.file, key);
  const kv = await session.namespace();
  const options = {
    ...(flags.ttl === undefined ? {} : { expirationTtl: parseDuration(flags.ttl) }),
    ...(flags.expiration === undefined ? {} : { expiration: parseExpiration(flags.expiration) }),
    ...(flags.metadata === undefined ? {} : { metadata: JSON.parse(parseMetadataText(flags.metadata, key)) }),
  };
  // Check the key and options before reading a possibly large stdin.
  await kv.prepareEntry(key, '', options);
  const bytes = await readValueSource(source, key);
  if (flags['json-value']) checkJsonValue(bytes, key);
  const entry = await kv.prepareEntry(key, bytes, options);
  await kv.putEntry(entry);
  return {
    namespace: kv.name,
    key,
    bytes: bytes.byteLength,
    expiration: entry.expiration,
    metadata: entry.metadata === null ? null : JSON.parse(entry.metadata),
  };
}
