/**
 * `kvadm kv get` without loading oclif. Loading @oclif/core alone costs about as much
 * as starting Node, and `kv get` is the command scripts call in loops, so bin/run.js
 * hands it here first. Only plain invocations are handled; anything else (help,
 * --json, an unknown or repeated flag, a bad option value) returns undefined and
 * goes through oclif as usual, which owns every usage message.
 */
import { parseArgs } from 'node:util';
import { createBackend } from '../lib/backends/index.js';
import type { Backend } from '../lib/backends/backend.js';
import { KV } from '../lib/kv.js';
import { BACKEND_KINDS } from '../lib/settings.js';
import { settingsFromFlags } from './command-settings.js';
import { KV_GET_TYPES, type KvGetType, kvGet } from './kv-get-action.js';
import { reportError } from './report-error.js';

/** Every flag `kv get` accepts (its own and the global ones), as oclif declares them. */
export const FAST_KV_GET_OPTIONS = {
  type: { type: 'string', short: 't' },
  'with-metadata': { type: 'boolean' },
  'cache-ttl': { type: 'string' },
  out: { type: 'string', short: 'o' },
  namespace: { type: 'string', short: 'n' },
  'data-dir': { type: 'string' },
  backend: { type: 'string' },
  url: { type: 'string' },
  token: { type: 'string' },
  account: { type: 'string' },
  profile: { type: 'string' },
} as const;

/** The exit code, or undefined when oclif should handle these arguments. */
export async function fastKvGet(argv: string[]): Promise<number | undefined> {
  const parsed = tryParse(argv);
  if (parsed === undefined) return undefined;
  const { values, positionals, tokens } = parsed;
  if (positionals.length !== 1) return undefined;
  const seen = new Set<string>();
  for (const token of tokens) {
    if (token.kind === 'option-terminator') return undefined;
    if (token.kind !== 'option') continue;
    if (seen.has(token.name)) return undefined;
    seen.add(token.name);
  }
  if (values.type !== undefined && !(KV_GET_TYPES as readonly string[]).includes(values.type)) return undefined;
  if (values.backend !== undefined && !(BACKEND_KINDS as readonly string[]).includes(values.backend)) return undefined;

  // A failed write reaches kvGet through the write callback (EPIPE → exit 0 in reportError);
  // the stream's own 'error' event must not crash the process as unhandled.
  process.stdout.on('error', () => undefined);
  let backend: Backend | undefined;
  try {
    const { settings } = settingsFromFlags(values);
    backend = await createBackend(settings);
    const kv = await KV.open(settings.namespace, { backend });
    await kvGet(kv, {
      key: positionals[0] as string,
      type: (values.type ?? 'binary') as KvGetType,
      withMetadata: values['with-metadata'] ?? false,
      cacheTtl: values['cache-ttl'],
      out: values.out,
      json: false,
      info: (message) => process.stderr.write(`${message}\n`),
    });
    return 0;
  } catch (error) {
    return reportError(error as Error, false);
  } finally {
    await backend?.close().catch(() => undefined);
  }
}

function tryParse(argv: string[]) {
  try {
    return parseArgs({ args: argv, options: FAST_KV_GET_OPTIONS, allowPositionals: true, strict: true, tokens: true });
  } catch {
    return undefined;
  }
}
