/**
 * What `kvadm copy` does once its arguments are parsed (by oclif or by src/cli/dispatch.ts).
 * On the fast path with sync and diff: scripts copy namespaces (backups, staging seeds) in
 * loops, and a small copy's time is mostly start-up.
 */
import type CopyCommand from '../../commands/copy.js';
// Leaves, not term/index.js or sync/index.js: this file is on the fast path, which loads no module it does not use (see term/index.ts).
import { type CopySummary, copyStore } from '../../lib/sync/copy.js';
import { seconds } from '../../lib/term/progress.js';
import { count } from '../../lib/words.js';
import type { CommandSession } from '../command-session.js';
import { onStorePair, refusedKeysError, reportRefusedEntries } from '../store-pair.js';

export type CopyResult = CopySummary;

export async function action(session: CommandSession<typeof CopyCommand>): Promise<CopyResult> {
  const { flags } = session;
  const s = await onStorePair(session, 'copying', (src, dst, progress) =>
    copyStore(src, dst, {
      prefix: flags.prefix,
      skipInvalid: flags['skip-invalid'],
      createNamespace: flags['create-namespace'],
      onProgress: (p) => progress.show(p.phase, p.done),
    }),
  );
  reportRefusedEntries(s, s.invalidCount, { skipInvalid: flags['skip-invalid'], quiet: session.json });
  session.info(
    `copied ${count(s.written)} of ${count(s.entries)} entries from '${s.source}' to '${s.destination}'${s.createdNamespace ? ' (created)' : ''}: ${seconds(s.seconds)}, ${count(s.keysPerSecond)} keys/s`,
  );
  if (s.failed > 0) {
    throw refusedKeysError('COPY_INCOMPLETE', s, 'run the same command again (or kvadm sync, which writes only what is missing)');
  }
  return s;
}
