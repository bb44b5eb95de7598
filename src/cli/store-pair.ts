/** The SRC and DST arguments of diff, sync and copy, opened as two stores and closed after use. */
import { Args } from '@oclif/core';
import { UsageError } from '../lib/errors.js';
import type { Settings } from '../lib/settings.js';
import { type Store, openStore, parseStoreAddress } from '../lib/sync/index.js';

export const storeArgs = {
  src: Args.string({ description: 'Source store: NAMESPACE, or PROFILE:NAMESPACE for a `kvadm config` profile.', required: true }),
  dst: Args.string({ description: 'Destination store: NAMESPACE, or PROFILE:NAMESPACE.', required: true }),
};

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
