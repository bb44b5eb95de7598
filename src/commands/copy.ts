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
import { rateText, seconds, startProgress } from '../lib/term/index.js';
import { count } from '../lib/words.js';
import { type CopySummary, copyStore } from '../lib/sync/index.js';

export type CopyResult = CopySummary;

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
    refuseNamespaceFlag(this.flags.namespace);
    const started = performance.now();
    const progress = await startProgress('copying', !this.jsonEnabled());
    let summary: CopySummary;
    try {
      summary = await withStores(this.settings().settings, this.args, (src, dst) =>
        copyStore(src, dst, {
          prefix: this.flags.prefix,
          skipInvalid: this.flags['skip-invalid'],
          createNamespace: this.flags['create-namespace'],
          onProgress: (p) => progress.update(() => rateText(p.phase, p.done, started)),
        }),
      );
    } finally {
      progress.stop();
    }
    const s = summary;
    reportRefusedEntries(s, s.invalidCount, { skipInvalid: this.flags['skip-invalid'], quiet: this.jsonEnabled() });
    this.info(
      `copied ${count(s.written)} of ${count(s.entries)} entries from '${s.source}' to '${s.destination}'${s.createdNamespace ? ' (created)' : ''}: ${seconds(s.seconds)}, ${count(s.keysPerSecond)} keys/s`,
    );
    if (s.failed > 0) {
      throw refusedKeysError('COPY_INCOMPLETE', s, 'run the same command again (or kvadm sync, which writes only what is missing)');
    }
    return summary;
  }
}
