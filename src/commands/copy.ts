import { Flags } from '@oclif/core';
import { BaseCommand } from '../cli/base-command.js';
import { type CopyResult, action } from '../cli/actions/copy.js';
import { createNamespaceFlag, skipInvalidFlag, storeArgs } from '../cli/store-pair-flags.js';

export type { CopyResult } from '../cli/actions/copy.js';

export default class Copy extends BaseCommand<typeof Copy> {
  static override summary = 'Write every key of SRC into DST, without reading DST (for an empty or new namespace).';
  static override description = `SRC and DST are NAMESPACE (the current settings) or PROFILE:NAMESPACE (a \`kvadm config\` profile's store).
Every entry (value, metadata, expiration) is written, overwriting what DST holds under the same key; keys only in DST stay. Use sync to write only what differs.
As import: if an entry would be refused by DST nothing is written (exit 2) unless --skip-invalid; on the local store the copy is one transaction.`;
  static override examples = [
    '<%= config.bin %> copy prod:users local-backup:users-2026-12-01 --create-namespace',
    '<%= config.bin %> copy users users-staging --prefix user:',
  ];
  static override args = storeArgs;
  static override flags = {
    prefix: Flags.string({ char: 'p', summary: 'Only keys starting with this prefix.' }),
    'create-namespace': createNamespaceFlag,
    'skip-invalid': skipInvalidFlag,
  };

  async run(): Promise<CopyResult> {
    return action(this.session);
  }
}
