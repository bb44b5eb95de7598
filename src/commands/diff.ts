import { Flags } from '@oclif/core';
import { BaseCommand } from '../cli/base-command.js';
import { keyForLine, refuseNamespaceFlag, storeArgs, withStores } from '../cli/store-pair.js';
import { ExitCode } from '../lib/errors.js';
import { rateText, seconds, startProgress, writeStdout } from '../lib/term/index.js';
import { count } from '../lib/words.js';
import { type DiffSummary, type Difference, diffStores } from '../lib/sync/index.js';

export interface DiffResult extends DiffSummary {
  /** Keys only in SRC. */
  added: string[];
  /** Keys only in DST. */
  removed: string[];
  changed: Array<{ key: string; differs: Difference[] }>;
  /** How many keys match (not listed: they are everything else). */
  same: number;
}

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
    refuseNamespaceFlag(this.flags.namespace);
    const json = this.jsonEnabled();
    const added: string[] = [];
    const removed: string[] = [];
    const changed: DiffResult['changed'] = [];
    let lines = '';
    const started = performance.now();
    const progress = await startProgress('comparing', !json);
    let summary: DiffSummary;
    try {
      summary = await withStores(this.settings().settings, this.args, (src, dst) =>
        diffStores(src, dst, {
          prefix: this.flags.prefix,
          keysOnly: this.flags['keys-only'],
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
            progress.update(() => rateText('comparing', compared, started));
            if (lines.length > 0) {
              const text = lines;
              lines = '';
              await writeStdout(text);
            }
          },
        }),
      );
    } finally {
      progress.stop();
    }
    const { counts } = summary;
    const differ = counts.added + counts.removed + counts.changed > 0;
    this.info(
      differ
        ? `'${summary.source}' and '${summary.destination}' differ: ${count(counts.added)} only in SRC (+), ${count(counts.removed)} only in DST (-), ${count(counts.changed)} changed (~), ${count(counts.same)} same (${seconds(summary.seconds)})`
        : `'${summary.source}' and '${summary.destination}' match: ${count(counts.same)} keys compared (${seconds(summary.seconds)})`,
    );
    // Not an error: the answer a script asked for. oclif leaves the process to end by itself on success.
    if (differ) process.exitCode = ExitCode.differ;
    return { ...summary, added, removed, changed, same: counts.same };
  }
}
