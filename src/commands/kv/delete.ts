import { Args, Flags } from '@oclif/core';
import { BaseCommand } from '../../cli/base-command.js';
import { type KvDeleteResult, action } from '../../cli/actions/kv-delete.js';

export type { KvDeleteResult } from '../../cli/actions/kv-delete.js';

export default class KvDelete extends BaseCommand<typeof KvDelete> {
  static override summary = 'Delete keys: those given, every key under --prefix, or those listed in --from-file.';
  static override description =
    `Deleting a key that does not exist is not an error (the store ends up the same); such keys are counted as missing.
--prefix and --from-file ask for confirmation on a terminal and need --force otherwise.
--from-file takes a JSON array of key names (strings, or objects with "key" or "name", such as an export) or one key a line; "-" reads stdin.`;
  static override examples = [
    '<%= config.bin %> kv delete greeting',
    '<%= config.bin %> kv delete a b c',
    '<%= config.bin %> kv delete --prefix session: --force',
    '<%= config.bin %> kv list --prefix tmp: | <%= config.bin %> kv delete --from-file - --force',
  ];
  static override strict = false;
  static override args = {
    keys: Args.string({ description: 'Keys to delete.', ignoreStdin: true }),
  };
  static override flags = {
    prefix: Flags.string({ char: 'p', summary: 'Delete every key starting with this prefix.', exclusive: ['from-file'] }),
    'from-file': Flags.string({ summary: 'Delete the keys listed in this file ("-" for stdin): a JSON array of names, or one a line.' }),
    force: Flags.boolean({ char: 'f', summary: 'Do not ask for confirmation (needed off a terminal with --prefix or --from-file).' }),
  };

  async run(): Promise<KvDeleteResult> {
    return action(this.session);
  }
}
