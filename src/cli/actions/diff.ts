/**
 * What `kvadm diff` does once its arguments are parsed (by oclif or by src/cli/dispatch.ts).
 * On the fast path because scripts ask "do these stores match?" by its exit code, often in
 * loops, and a small diff's time is mostly start-up.
 */
import type DiffCommand from '../../commands/diff.js';
import { ExitCode } from '../../lib/errors.js';
import type { Difference } from '../../lib/sync/compare.js';
// Leaves, not term/index.js or sync/index.js: this file is on the fast path, which loads no module it does not use (see term/index.ts).
import { type DiffSummary, diffStores } from '../../lib/sync/diff.js';
import { writeStdout } from '../../lib/term/output.js';
import { seconds } from '../../lib/term/progress.js';
import { count } from '../../lib/words.js';
import type { CommandSession } from '../command-session.js';
import { keyForLine, onStorePair } from '../store-pair.js';

export interface DiffResult extends DiffSummary {
  /** Keys only in SRC. */
  added: string[];
  /** Keys only in DST. */
  removed: string[];
  changed: Array<{ key: string; differs: Difference[] }>;
  /** How many keys match (not listed: they are everything else). */
  same: number;
}

export async function action(session: CommandSession<typeof DiffCommand>): Promise<DiffResult> {
  const { flags, json } = session;
  const added: string[] = [];
  const removed: string[] = [];
  const changed: DiffResult['changed'] = [];
  let lines = '';
  const summary = await onStorePair(session, 'comparing', (src, dst, progress) =>
    diffStores(src, dst, {
      prefix: flags.prefix,
      keysOnly: flags['keys-only'],
      onDifference: (d) => {
        if (json) {
          if (d.kind === 'added') added.push(d.key);
          else if (d.kind === 'removed') removed.push(d.key);
          else changed.push({ key: d.key, differs: d.differs ?? [] });
          return;
        }
        const sign = d.kind === 'added' ? '+' : d.kind === 'removed' ? '-' : '~';
        lines += `${sign} ${keyForLine(d.key)}${d.differs ? ` (${d.differs.join(', ')})` : ''}\n`;
      },
      onProgress: async (compared) => {
        progress.show('comparing', compared);
        if (lines.length > 0) {
          const text = lines;
          lines = '';
          await writeStdout(text);
        }
      },
    }),
  );
  const { counts } = summary;
  const differ = counts.added + counts.removed + counts.changed > 0;
  session.info(
    differ
      ? `'${summary.source}' and '${summary.destination}' differ: ${count(counts.added)} only in SRC (+), ${count(counts.removed)} only in DST (-), ${count(counts.changed)} changed (~), ${count(counts.same)} same (${seconds(summary.seconds)})`
      : `'${summary.source}' and '${summary.destination}' match: ${count(counts.same)} keys compared (${seconds(summary.seconds)})`,
  );
  // Not an error: the answer a script asked for. oclif leaves the process to end by itself on
  // success, with this code; the fast path exits with it too (dispatch.ts).
  if (differ) process.exitCode = ExitCode.differ;
  return { ...summary, added, removed, changed, same: counts.same };
}
