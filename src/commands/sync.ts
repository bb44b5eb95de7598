import { Flags } from '@oclif/core';
import { BaseCommand } from '../cli/base-command.js';
import {
  createNamespaceFlag,
  refuseNamespaceFlag,
  refusedKeysError,
  reportRefusedEntries,
  skipInvalidFlag,
  storeArgs,
  withStores,
} from '../cli/store-pair.js';
import { confirmDestructive, rateText, seconds, startProgress } from '../lib/term/index.js';
import { count } from '../lib/words.js';
import { type RefusedEntry, type SyncPlan, type SyncSummary, syncStores } from '../lib/sync/index.js';

export type SyncResult = SyncSummary;

export default class Sync extends BaseCommand<typeof Sync> {
  static override summary = 'Make DST match SRC: write the keys that are new or different, and with --delete remove the extra ones.';
  static override description = `SRC and DST are NAMESPACE (the current settings) or PROFILE:NAMESPACE (a \`kvadm config\` profile's store).
Keys that already match (value, metadata, expiration within 60 s) are not written, so a second run writes nothing.
The plan's counts are printed before anything is overwritten or deleted. Deleting asks for confirmation on a terminal and needs --force otherwise.
On the local store the whole sync is one transaction. On a remote store a failed run says exactly which keys were written; running it again finishes the job.
If an SRC entry would be refused by DST (for example an expiration now under 60 s away), nothing is written (exit 2) unless --skip-invalid.`;
  static override examples = [
    '<%= config.bin %> sync staging:users prod:users --dry-run',
    '<%= config.bin %> sync prod:users local-backup:users --create-namespace',
    '<%= config.bin %> sync users prod:users --delete --force',
  ];
  static override args = storeArgs;
  static override flags = {
    prefix: Flags.string({ char: 'p', summary: 'Only keys starting with this prefix (with --delete, only those are deleted).' }),
    delete: Flags.boolean({ summary: 'Also delete keys that only DST has.' }),
    'dry-run': Flags.boolean({ summary: 'Compare and print the plan; change nothing.' }),
    force: Flags.boolean({ char: 'f', summary: 'Delete without asking for confirmation (needed off a terminal).' }),
    'create-namespace': createNamespaceFlag,
    'skip-invalid': skipInvalidFlag,
  };

  async run(): Promise<SyncResult> {
    refuseNamespaceFlag(this.flags.namespace);
    const started = performance.now();
    let progress = await startProgress('comparing', !this.jsonEnabled());
    let summary: SyncSummary;
    try {
      summary = await withStores(this.settings().settings, this.args, (src, dst) =>
        syncStores(src, dst, {
          prefix: this.flags.prefix,
          delete: this.flags.delete,
          dryRun: this.flags['dry-run'],
          skipInvalid: this.flags['skip-invalid'],
          createNamespace: this.flags['create-namespace'],
          confirm: async (plan) => {
            progress.stop();
            this.info(`plan for '${dst.label}': ${planText(plan)}`);
            const confirmed =
              plan.delete === 0 ||
              (await confirmDestructive({
                action: `delete ${count(plan.delete)} keys from '${dst.label}' and write ${count(plan.add + plan.change)}`,
                force: this.flags.force,
              }));
            // A remote sync writes after this answer: show its progress too.
            if (confirmed) progress = await startProgress('writing', !this.jsonEnabled());
            return confirmed;
          },
          onProgress: (p) => progress.update(() => rateText(p.phase, p.done, started)),
        }),
      );
    } finally {
      progress.stop();
    }
    this.report(summary);
    return summary;
  }

  private report(s: SyncSummary): void {
    reportRefusedEntries(s, s.plan.invalid, { skipInvalid: this.flags['skip-invalid'], quiet: this.jsonEnabled() });
    const nothing = s.plan.add + s.plan.change + s.plan.delete === 0;
    if (s.dryRun) this.info(`dry run, nothing changed: ${planText(s.plan)}`);
    else if (nothing) this.info(`already in sync: ${count(s.plan.same)} keys match, nothing written${keptText(s.plan)}`);
    else if (!s.applied) this.info('nothing changed (not confirmed)');
    else {
      this.info(
        `synced '${s.source}' to '${s.destination}'${s.createdNamespace ? ' (created)' : ''}: ${count(s.written)} written, ${count(s.deleted)} deleted, ${count(s.plan.same)} already matching${keptText(s.plan)} (${seconds(s.seconds)})`,
      );
    }
    if (s.failed > 0) {
      throw refusedKeysError('SYNC_INCOMPLETE', s, 'run the same command again: it writes only what is still missing');
    }
  }
}

function planText(plan: SyncPlan): string {
  return `${count(plan.add)} to add, ${count(plan.change)} to change, ${count(plan.delete)} to delete, ${count(plan.same)} same${keptText(plan)}${plan.invalid ? `, ${count(plan.invalid)} invalid` : ''}`;
}

function keptText(plan: SyncPlan): string {
  return plan.keep > 0 ? `, ${count(plan.keep)} only in DST kept (--delete removes them)` : '';
}

export type { RefusedEntry };
