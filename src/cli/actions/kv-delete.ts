/** What `kv delete` does once its arguments are parsed (by oclif or by src/cli/dispatch.ts). */
import type KvDeleteCommand from '../../commands/kv/delete.js';
import type { BulkSource } from '../../lib/bulk/io.js';
import { UsageError } from '../../lib/errors.js';
import { count, counted } from '../../lib/words.js';
import type { CommandSession } from '../command-session.js';

type Session = CommandSession<typeof KvDeleteCommand>;

/**
 * What deleting by prefix or from a list needs (key-list readers, confirmation, progress),
 * loaded only then: `kv delete KEY` is called in loops and should start as fast as `kv get`.
 */
async function bulkDeleting() {
  const [deleting, keyList, io, term] = await Promise.all([
    import('../../lib/bulk/delete.js'),
    import('../../lib/bulk/key-list.js'),
    import('../../lib/bulk/io.js'),
    import('../../lib/term/index.js'),
  ]);
  return { ...deleting, ...keyList, ...io, ...term };
}

export interface KvDeleteResult {
  namespace: string;
  deleted: number;
  /** Keys given as arguments that did not exist (deleting them is not an error). */
  missing: string[];
  /** How many of the keys asked for did not exist (all modes). */
  missingCount: number;
  /** False when the confirmation was declined. */
  confirmed: boolean;
}

export async function action(session: Session): Promise<KvDeleteResult> {
  const keys = session.argv;
  const { prefix, force } = session.flags;
  const fromFile = session.flags['from-file'];
  if (keys.length > 0 && (prefix !== undefined || fromFile !== undefined)) {
    throw new UsageError('give keys as arguments, or --prefix, or --from-file: not together');
  }
  if (prefix !== undefined) return deleteUnderPrefix(session, prefix, force);
  if (fromFile !== undefined) return deleteFromFile(session, fromFile, force);
  if (keys.length === 0) {
    throw new UsageError('missing the keys to delete', 'give one or more keys (kvadm kv delete KEY...), --prefix P or --from-file FILE');
  }
  const kv = await session.namespace();
  const missing: string[] = [];
  let deleted = 0;
  for (const key of keys) {
    if (await kv.delete(key)) deleted++;
    else missing.push(key);
  }
  session.info(
    `deleted ${deleted} of ${counted(keys.length, 'key')} from '${kv.name}'${missing.length ? ` (${missing.length} did not exist)` : ''}`,
  );
  return { namespace: kv.name, deleted, missing, missingCount: missing.length, confirmed: true };
}

async function deleteUnderPrefix(session: Session, prefix: string, force: boolean): Promise<KvDeleteResult> {
  if (prefix === '') {
    throw new UsageError(
      'refusing to delete with an empty --prefix (it would delete every key)',
      'to empty a namespace, delete it: kvadm ns delete NAME',
    );
  }
  const { confirmDestructive, countPrefix, deletePrefix, startProgress } = await bulkDeleting();
  const kv = await session.namespace();
  // Counting costs a listing: only worth it when someone reads the question.
  const action = force
    ? `delete every key under prefix ${JSON.stringify(prefix)} in '${kv.name}'`
    : `delete ${counted(await countPrefix(kv, prefix), 'key')} under prefix ${JSON.stringify(prefix)} in '${kv.name}'`;
  if (!(await confirmDestructive({ action, force }))) return declined(session, kv.name);
  const progress = await startProgress('deleting', !session.json);
  let deleted: number;
  try {
    deleted = await deletePrefix(kv, prefix, (p) => progress.update(() => `deleting: ${counted(p.deleted, 'key')}`));
  } finally {
    progress.stop();
  }
  session.info(`deleted ${counted(deleted, 'key')} under prefix ${JSON.stringify(prefix)} from '${kv.name}'`);
  return { namespace: kv.name, deleted, missing: [], missingCount: 0, confirmed: true };
}

async function deleteFromFile(session: Session, file: string, force: boolean): Promise<KvDeleteResult> {
  const { checkReadable, confirmDestructive, deleteKeys, keyListOptions, readKeyList, sourceName, startProgress } = await bulkDeleting();
  if (file !== '-') checkReadable(file);
  else if (process.stdin.isTTY)
    throw new UsageError('stdin is a terminal: no key list to read', 'pipe the key list into kvadm, or give a file');
  const kv = await session.namespace();
  const source: BulkSource = file === '-' ? { kind: 'stream', stream: process.stdin } : { kind: 'file', path: file };
  const keys = await readKeyList(source, keyListOptions(session.flags));
  const action = `delete the ${counted(keys.length, 'key')} listed in ${sourceName(source)} from '${kv.name}'`;
  if (!(await confirmDestructive({ action, force }))) return declined(session, kv.name);
  const progress = await startProgress('deleting', !session.json);
  let deleted: number;
  try {
    deleted = await deleteKeys(kv, keys, (p) => progress.update(() => `deleting: ${count(p.processed)} of ${counted(keys.length, 'key')}`));
  } finally {
    progress.stop();
  }
  const missingCount = keys.length - deleted;
  session.info(
    `deleted ${count(deleted)} of ${counted(keys.length, 'key')} from '${kv.name}'${missingCount ? ` (${count(missingCount)} did not exist)` : ''}`,
  );
  return { namespace: kv.name, deleted, missing: [], missingCount, confirmed: true };
}

function declined(session: Session, namespace: string): KvDeleteResult {
  session.info('nothing deleted');
  return { namespace, deleted: 0, missing: [], missingCount: 0, confirmed: false };
}
