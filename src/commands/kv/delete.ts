import { Args, Flags } from '@oclif/core';
import { BaseCommand } from '../../cli/base-command.js';
import { NUL_SEPARATED_CHAR } from '../../cli/flag-chars.js';
import { KEY_LIST_FORMATS } from '../../lib/bulk/key-list.js';
import { type KvDeleteResult, action } from '../../cli/actions/kv-delete.js';

export type { KvDeleteResult } from '../../cli/actions/kv-delete.js';

export default class KvDelete extends BaseCommand<typeof KvDelete> {
  static override summary = 'Delete keys: those given, every key under --prefix, or those listed in --from-file.';
  static override description =
    `Deleting a key that does not exist is not an error (the store ends up the same); such keys are counted as missing.
--prefix and --from-file ask for confirmation on a terminal and need --force otherwise.
--from-file reads what kvadm prints: kv list (one key a line; a line starting with " is a quoted key), kv list -0 (with -0), kv list --json and export's json, jsonl and csv (with --format, or from the file's extension); "-" reads stdin.
Without --format or -0 the list is read as lines, and input that is plainly JSON or CSV is refused.`;
  static override examples = [
    '<%= config.bin %> kv delete greeting',
    '<%= config.bin %> kv delete a b c',
    '<%= config.bin %> kv delete --prefix session: --force',
    '<%= config.bin %> kv list --prefix tmp: | <%= config.bin %> kv delete --from-file - --force',
    '<%= config.bin %> kv list -0 --prefix tmp: | <%= config.bin %> kv delete --from-file - -0 --force',
    '<%= config.bin %> export --prefix tmp: | <%= config.bin %> kv delete --from-file - --format jsonl --force',
  ];
  static override strict = false;
  static override args = {
    keys: Args.string({ description: 'Keys to delete.', ignoreStdin: true }),
  };
  static override flags = {
    prefix: Flags.string({ char: 'p', summary: 'Delete every key starting with this prefix.', exclusive: ['from-file'] }),
    'from-file': Flags.string({ summary: 'Delete the keys listed in this file ("-" for stdin): one a line, or see --format and -0.' }),
    format: Flags.string({
      summary:
        'How the --from-file list is written: lines (kv list), json (kv list --json, export --format json), jsonl (export), csv (export --format csv). Default: the file extension, else lines.',
      options: [...KEY_LIST_FORMATS],
      exclusive: ['null'],
      dependsOn: ['from-file'],
    }),
    null: Flags.boolean({
      char: NUL_SEPARATED_CHAR,
      summary: 'The --from-file list is NUL-separated (kv list -0, find -print0).',
      exclusive: ['format'],
      dependsOn: ['from-file'],
    }),
    delimiter: Flags.string({
      summary: 'CSV field delimiter of the --from-file list: one character, or "tab" (default ",").',
      dependsOn: ['from-file'],
    }),
    force: Flags.boolean({ char: 'f', summary: 'Do not ask for confirmation (needed off a terminal with --prefix or --from-file).' }),
  };

  async run(): Promise<KvDeleteResult> {
    return action(this.session);
  }
}
