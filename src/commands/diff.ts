import { Flags } from '@oclif/core';
import { BaseCommand } from '../cli/base-command.js';
import { type DiffResult, action } from '../cli/actions/diff.js';
import { storeArgs } from '../cli/store-pair-flags.js';

export type { DiffResult } from '../cli/actions/diff.js';

export default class Diff extends BaseCommand<typeof Diff> {
  static override summary = 'Compare two namespaces, in any two stores, key by key.';
  static override description = `SRC and DST are NAMESPACE (the current settings) or PROFILE:NAMESPACE (a \`kvadm config\` profile's store).
Prints one line per key that differs: "+ KEY" only in SRC, "- KEY" only in DST, "~ KEY (value, metadata, expiration)" in both but different.
Expirations within 60 s of each other count as equal. Keys holding control characters, quotes or edge spaces are printed as JSON strings.
Exit 0 when the stores match, 10 when they differ, the usual codes on errors (3: a namespace is missing).`;
  static override examples = [
    '<%= config.bin %> diff staging:users prod:users',
    '<%= config.bin %> diff users backup:users --prefix user: --keys-only',
    '<%= config.bin %> diff users users-copy --json',
  ];
  static override args = storeArgs;
  static override flags = {
    prefix: Flags.string({ char: 'p', summary: 'Only keys starting with this prefix.' }),
    'keys-only': Flags.boolean({ summary: 'Compare keys, metadata and expirations from the listings; do not read values.' }),
  };

  async run(): Promise<DiffResult> {
    return action(this.session);
  }
}
