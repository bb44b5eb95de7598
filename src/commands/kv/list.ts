import { Flags } from '@oclif/core';
import { BaseCommand } from '../../cli/base-command.js';
import { NUL_SEPARATED_CHAR } from '../../cli/flag-chars.js';
import { type KvListResult, action } from '../../cli/actions/kv-list.js';

export type { KvListResult } from '../../cli/actions/kv-list.js';

export default class KvList extends BaseCommand<typeof KvList> {
  static override summary = 'List keys in byte order.';
  static override description =
    `Every key, in pages of 1000 followed to the end: one name a line when piped, a table (name, expiration, metadata) on a terminal, {keys, list_complete} with --json.
A key holding a line break or another control character, or starting with a double quote, is printed as a JSON string ("tmp:x\\nline1"), which kv delete --from-file reads back; -0 prints names as they are, each followed by a NUL.
--limit or --cursor lists one page (its next cursor on stderr, or in the --json result); --all with --cursor lists every key after the cursor.`;
  static override examples = [
    '<%= config.bin %> kv list --prefix user:',
    '<%= config.bin %> kv list > keys.txt',
    '<%= config.bin %> kv list -0 --prefix tmp: | xargs -0 -n 100 <%= config.bin %> kv delete',
    '<%= config.bin %> kv list --limit 100 --cursor "$CURSOR" --json',
  ];
  static override flags = {
    prefix: Flags.string({ char: 'p', summary: 'Only keys starting with this prefix.' }),
    limit: Flags.string({ char: 'l', summary: 'List one page of this many keys, 1 to 1000.', exclusive: ['all'] }),
    cursor: Flags.string({ char: 'c', summary: 'List the page after a previous one (its cursor); with --all, every key after it.' }),
    all: Flags.boolean({ char: 'a', summary: 'List every key (the default; with --cursor, every key after it).' }),
    null: Flags.boolean({
      char: NUL_SEPARATED_CHAR,
      summary: 'Names as they are, each followed by a NUL instead of a line break (for xargs -0).',
      exclusive: ['json'],
    }),
  };

  async run(): Promise<KvListResult> {
    return action(this.session);
  }
}
