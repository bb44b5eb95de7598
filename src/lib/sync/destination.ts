/** The destination namespace of sync and copy: opened, or created when asked (and removed again if nothing landed). */
import { NamespaceExistsError, NamespaceNotFoundError } from '../errors.js';
import { KV } from '../kv.js';
import type { Store } from './stores.js';

export interface Destination {
  /** False only for a dry run into a namespace that does not exist yet (read as empty). */
  exists: boolean;
  created: boolean;
  /** Remove a namespace this run created, when the run leaves it empty (declined, invalid, failed). */
  discardIfEmpty(): Promise<void>;
}

export async function openDestination(store: Store, options: { create: boolean; dryRun: boolean }): Promise<Destination> {
  const { backend, namespace } = store;
  const plain = (exists: boolean, created: boolean): Destination => ({
    exists,
    created,
    async discardIfEmpty() {
      if (!created) return;
      const kv = new KV(namespace, { backend });
      if ((await kv.namespaceInfo()).keyCount === 0) await KV.delete(namespace, { backend }).catch(() => undefined);
    },
  });
  try {
    await KV.open(namespace, { backend });
    return plain(true, false);
  } catch (error) {
    if (!(error instanceof NamespaceNotFoundError) || !options.create) throw error;
  }
  if (options.dryRun) return plain(false, false);
  try {
    await KV.create(namespace, { backend });
    return plain(true, true);
  } catch (raced) {
    if (!(raced instanceof NamespaceExistsError)) throw raced;
    return plain(true, false);
  }
}
