/**
 * One bulk-write session from open to end, for the server's bulk route (one request, one session).
 * The session commits when the work succeeds (and `commitIf` agrees), and is aborted
 * when the work throws (the error rethrown) or `commitIf` says no: on the local store an
 * abort rolls every write of the session back.
 *
 * @example
 * await withBulkWriter(backend.bulkWriter(namespace), (writer) => writer.write(entries));
 */
import type { BulkWriter } from '../backends/backend.js';

export async function withBulkWriter<T>(
  writer: BulkWriter | Promise<BulkWriter>,
  work: (writer: BulkWriter) => Promise<T>,
  options: { commitIf?: (result: T) => boolean } = {},
): Promise<T> {
  const session = await writer;
  try {
    const result = await work(session);
    if (options.commitIf === undefined || options.commitIf(result)) await session.commit();
    else await session.abort();
    return result;
  } catch (error) {
    await session.abort();
    throw error;
  }
}
