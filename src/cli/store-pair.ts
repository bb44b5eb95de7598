/** The SRC and DST arguments of diff, sync and copy, opened as two stores and closed after use. */
import { Args, Flags } from '@oclif/core';
import { ExitCode, KvadmError, UsageError, ValidationError } from '../lib/errors.js';
import { warn } from '../lib/term/index.js';
import { count, counted } from '../lib/words.js';
import type { Settings } from '../lib/config/index.js';
import { type Store, openStore, parseStoreAddress } from '../lib/sync/index.js';

export const storeArgs = {
  src: Args.string({ description: 'Source store: NAMESPACE, or PROFILE:NAMESPACE for a `kvadm config` profile.', required: true }),
  dst: Args.string({ description: 'Destination store: NAMESPACE, or PROFILE:NAMESPACE.', required: true }),
};

/** Flags that sync and copy share. */
export const createNamespaceFlag = Flags.boolean({ summary: 'Create DST if it does not exist (otherwise that is exit 3).' });
export const skipInvalidFlag = Flags.boolean({
  summary: 'Write the valid entries and leave out those DST would refuse (they are listed).',
});

/** What sync and copy found DST would refuse: an error (nothing was written), or with --skip-invalid a warning. */
export function reportRefusedEntries(
  s: { source: string; destination: string; invalid: Array<{ key: string; message: string; code: string }> },
  invalidCount: number,
  options: { skipInvalid: boolean; quiet: boolean },
): void {
  if (invalidCount === 0) return;
  const listed = s.invalid.map((e) => `  ${keyForLine(e.key)}: ${e.message} [${e.code}]`).join('\n');
  const more = invalidCount > s.invalid.length ? `\n  … and ${count(invalidCount - s.invalid.length)} more` : '';
  const entries = counted(invalidCount, 'entry', 'entries');
  if (!options.skipInvalid) {
    throw new ValidationError(
      'ENTRY_INVALID',
      `${entries} of '${s.source}' would be refused by '${s.destination}'; nothing was written:\n${listed}${more}`,
      { hint: 'fix them in SRC, or add --skip-invalid to write the others', details: { invalid: s.invalid, invalidCount } },
    );
  }
  if (!options.quiet) warn(`left out ${entries} '${s.destination}' would refuse:\n${listed}${more}`);
}

/** Keys DST still refused after retries: the run is incomplete (exit 1), and says which. */
export function refusedKeysError(
  code: 'SYNC_INCOMPLETE' | 'COPY_INCOMPLETE',
  s: { destination: string; failed: number; failedKeys: string[]; written: number },
  hint: string,
): KvadmError {
  return new KvadmError(
    code,
    `'${s.destination}' refused ${counted(s.failed, 'key')} after retries: ${s.failedKeys.map(keyForLine).join(', ')}${s.failed > s.failedKeys.length ? ', …' : ''}`,
    { exitCode: ExitCode.failure, hint, details: { failed: s.failed, failedKeys: s.failedKeys, written: s.written } },
  );
}

/** Run `work` with both stores open; both backends are closed afterwards. */
export async function withStores<T>(
  settings: Settings,
  addresses: { src: string; dst: string },
  work: (src: Store, dst: Store) => Promise<T>,
): Promise<T> {
  const srcAddress = parseStoreAddress(addresses.src, 'SRC');
  const dstAddress = parseStoreAddress(addresses.dst, 'DST');
  const src = await openStore(srcAddress, settings);
  try {
    const dst = await openStore(dstAddress, settings);
    try {
      return await work(src, dst);
    } finally {
      await dst.backend.close().catch(() => undefined);
    }
  } finally {
    await src.backend.close().catch(() => undefined);
  }
}

/** A key on a line of its own: as it is, or JSON-quoted when it holds what would make the line ambiguous. */
export function keyForLine(key: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what needs quoting
  return /[\u0000-\u001f\u007f"\\]|^\s|\s$/.test(key) ? JSON.stringify(key) : key;
}

/** -n names one namespace; these commands take two, as SRC and DST: refuse it rather than ignore it. */
export function refuseNamespaceFlag(namespace: string | undefined): void {
  if (namespace !== undefined) {
    throw new UsageError(
      `-n/--namespace ${JSON.stringify(namespace)} does not apply here: the namespaces are SRC and DST`,
      'give them as arguments, e.g. users prod:users',
    );
  }
}
