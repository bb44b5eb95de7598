import { Flags } from '@oclif/core';
import { BaseCommand } from '../cli/base-command.js';
import { type SyncResult, action } from '../cli/actions/sync.js';
import { createNamespaceFlag, skipInvalidFlag, storeArgs } from '../cli/store-pair-flags.js';

export type { SyncResult } from '../cli/actions/sync.js';

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
    return action(this.session);
  }
}

export type { RefusedEntry } from '../lib/sync/index.js';
