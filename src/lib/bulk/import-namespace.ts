/** `kvadm import` into a namespace by name: open it, or create it first when asked (and remove it again if the import fails). */
import type { Backend } from '../backends/backend.js';
import { InterruptedError, NamespaceExistsError, NamespaceNotFoundError } from '../errors.js';
import { KV } from '../kv.js';
import { importEntries } from './import.js';
import type { NamespaceImportOptions, NamespaceImportSummary } from './import-types.js';
import type { BulkSource } from './io.js';

/**
 * Import into the namespace `name`, creating it first when asked. A namespace created
 * for an import that then writes nothing (invalid input, an error) or is interrupted is
 * removed again, so a failed import leaves no trace. A dry run never creates anything.
 */
export async function importIntoNamespace(
  backend: Backend,
  name: string,
  source: BulkSource,
  options: NamespaceImportOptions,
): Promise<NamespaceImportSummary> {
  let kv: KV;
  let created = false;
  try {
    kv = await KV.open(name, { backend });
  } catch (error) {
    if (!(error instanceof NamespaceNotFoundError) || !options.createNamespace) throw error;
    if (options.dryRun) {
      // Validate only: checking entries needs no namespace.
      kv = new KV(name, { backend });
    } else {
      try {
        kv = await KV.create(name, { backend });
        created = true;
      } catch (raced) {
        if (!(raced instanceof NamespaceExistsError)) throw raced;
        kv = await KV.open(name, { backend });
      }
    }
  }
  try {
    const summary = await importEntries(kv, source, options);
    return { ...summary, createdNamespace: created };
  } catch (error) {
    // Interrupted: the namespace goes whatever it holds (on the local store nothing, the
    // transaction was rolled back). Failed: it goes only when empty, so a remote import that
    // stopped part-way keeps what the server acknowledged for the re-run to complete.
    if (created && (error instanceof InterruptedError || (await kv.namespaceInfo().catch(() => null))?.keyCount === 0)) {
      await KV.delete(name, { backend }).catch(() => undefined);
    }
    throw error;
  }
}
