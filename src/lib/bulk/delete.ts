/**
 * Bulk deletes: every key under a prefix, or the keys of a list (read by key-list.ts).
 * Keys go to the backend's deleteMany in batches, so a remote backend can send them as
 * bulk requests.
 */
import { ValidationError } from '../errors.js';
import type { KV } from '../kv.js';
import { LIMITS } from '../limits.js';

const DELETE_BATCH = 1000;

export interface DeleteProgress {
  processed: number;
  deleted: number;
}

/** Delete `keys` in batches; resolves to how many existed. */
export async function deleteKeys(kv: KV, keys: string[], onProgress?: (progress: DeleteProgress) => void): Promise<number> {
  let deleted = 0;
  const batchSize = Math.min(DELETE_BATCH, LIMITS.bulkMaxItems);
  for (let start = 0; start < keys.length; start += batchSize) {
    const batch = keys.slice(start, start + batchSize);
    deleted += await kv.deleteMany(batch);
    onProgress?.({ processed: start + batch.length, deleted });
  }
  return deleted;
}

/** How many live keys start with `prefix`. */
export async function countPrefix(kv: KV, prefix: string): Promise<number> {
  let count = 0;
  for await (const page of kv.listAll({ prefix })) count += page.length;
  return count;
}

/** Delete every key under `prefix`, page by page; resolves to how many were deleted. */
export async function deletePrefix(kv: KV, prefix: string, onProgress?: (progress: DeleteProgress) => void): Promise<number> {
  if (prefix === '') {
    throw new ValidationError('USAGE', 'refusing to delete with an empty --prefix (it would delete every key)', {
      hint: `to empty a namespace, delete it: kvadm ns delete ${kv.name} (then create it again)`,
    });
  }
  let deleted = 0;
  let processed = 0;
  // Each page starts after the last key of the previous one, so deleting behind the cursor skips nothing.
  for await (const page of kv.listAll({ prefix, pageSize: DELETE_BATCH })) {
    deleted += await kv.deleteMany(page.map((info) => info.name));
    processed += page.length;
    onProgress?.({ processed, deleted });
  }
  return deleted;
}
