/**
 * What `kvadm sync` does once its arguments are parsed (by oclif or by src/cli/dispatch.ts).
 * On the fast path because scripts and cron jobs run it, and a sync with little to do is
 * mostly start-up. The confirmation of --delete comes from term/confirm.ts, which loads
 * inquirer only when it asks on a terminal.
 */
import type SyncCommand from '../../commands/sync.js';
// Leaves, not term/index.js or sync/index.js: this file is on the fast path, which loads no module it does not use (see term/index.ts).
import { type SyncPlan, type SyncSummary, syncStores } from '../../lib/sync/sync.js';
import { confirmDestructive } from '../../lib/term/confirm.js';
import { seconds } from '../../lib/term/progress.js';
import { count } from '../../lib/words.js';
import type { CommandSession } from '../command-session.js';
import { onStorePair, refusedKeysError, reportRefusedEntries } from '../store-pair.js';

export type SyncResult = SyncSummary;

type Session = CommandSession<typeof SyncCommand>;

export async function action(session: Session): Promise<SyncResult> {
  const { flags } = session;
  const summary = await onStorePair(session, 'comparing', (src, dst, progress) =>
    syncStores(src, dst, {
      prefix: flags.prefix,
      delete: flags.delete,
      dryRun: flags['dry-run'],
      skipInvalid: flags['skip-invalid'],
      createNamespace: flags['create-namespace'],
      confirm: async (plan) => {
        progress.stop();
        session.info(`plan for '${dst.label}': ${planText(plan)}`);
        const confirmed =
          plan.delete === 0 ||
          (await confirmDestructive({
            action: `delete ${count(plan.delete)} keys from '${dst.label}' and write ${count(plan.add + plan.change)}`,
            force: flags.force,
          }));
        // A remote sync without a bulk session writes after this answer: show its progress too.
        if (confirmed) await progress.restart('writing');
        return confirmed;
      },
      onProgress: (p) => progress.show(p.phase, p.done),
    }),
  );
  report(session, summary);
  return summary;
}

function report(session: Session, s: SyncSummary): void {
  reportRefusedEntries(s, s.plan.invalid, { skipInvalid: session.flags['skip-invalid'], quiet: session.json });
  const nothing = s.plan.add + s.plan.change + s.plan.delete === 0;
  if (s.dryRun) session.info(`dry run, nothing changed: ${planText(s.plan)}`);
  else if (nothing) session.info(`already in sync: ${count(s.plan.same)} keys match, nothing written${keptText(s.plan)}`);
  else if (!s.applied) session.info('nothing changed (not confirmed)');
  else {
    session.info(
      `synced '${s.source}' to '${s.destination}'${s.createdNamespace ? ' (created)' : ''}: ${count(s.written)} written, ${count(s.deleted)} deleted, ${count(s.plan.same)} already matching${keptText(s.plan)} (${seconds(s.seconds)})`,
    );
  }
  if (s.failed > 0) {
    throw refusedKeysError('SYNC_INCOMPLETE', s, 'run the same command again: it writes only what is still missing');
  }
}

function planText(plan: SyncPlan): string {
  return `${count(plan.add)} to add, ${count(plan.change)} to change, ${count(plan.delete)} to delete, ${count(plan.same)} same${keptText(plan)}${plan.invalid ? `, ${count(plan.invalid)} invalid` : ''}`;
}

function keptText(plan: SyncPlan): string {
  return plan.keep > 0 ? `, ${count(plan.keep)} only in DST kept (--delete removes them)` : '';
}
