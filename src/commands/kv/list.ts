import { Flags } from '@oclif/core';
import { BaseCommand } from '../../cli/base-command.js';
import { type KvListResult, action } from '../../cli/actions/kv-list.js';

export type { KvListResult } from '../../cli/actions/kv-list.js';

export default class KvList extends BaseCommand<typeof KvList> {
  static override summary = 'List keys in byte order.';
  static override description = `One key name a line when piped, a table (name, expiration, metadata) on a terminal, JSON with --json.
Without --all one page is listed (--limit, default 1000); the cursor of the next page is printed on stderr.`;
  static override examples = [
    '<%= config.bin %> kv list --prefix user:',
    '<%= config.bin %> kv list --all > keys.txt',
    '<%= config.bin %> kv list --limit 100 --cursor "$CURSOR" --json',
  ];
  static override flags = {
    prefix: Flags.string({ char: 'p', summary: 'Only keys starting with this prefix.' }),
    limit: Flags.string({ char: 'l', summary: 'Keys per page, 1 to 1000 (default 1000).', exclusive: ['all'] }),
    cursor: Flags.string({ char: 'c', summary: 'Continue after a previous page (its cursor).' }),
    all: Flags.boolean({ char: 'a', summary: 'List every key, following cursors.' }),
  };

  async run(): Promise<KvListResult> {
    return action(this.session);
  }
}
