import { Flags } from '@oclif/core';
import { BaseCommand } from '../../cli/base-command.js';
import type { KeyInfo } from '../../lib/kv.js';
import { formatExpiration, isTTY, renderTable, writeStdout } from '../../lib/output.js';

export interface KvListResult {
  keys: KeyInfo[];
  list_complete: boolean;
  cursor?: string;
}

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
    limit: Flags.integer({ char: 'l', summary: 'Keys per page, 1 to 1000 (default 1000).', exclusive: ['all'] }),
    cursor: Flags.string({ char: 'c', summary: 'Continue after a previous page (its cursor).' }),
    all: Flags.boolean({ char: 'a', summary: 'List every key, following cursors.' }),
  };

  async run(): Promise<KvListResult> {
    const kv = await this.namespace();
    const prefix = this.flags.prefix ?? '';
    const tty = isTTY() && !this.jsonEnabled();
    if (this.flags.all) {
      const keys: KeyInfo[] = [];
      for await (const page of kv.listAll({ prefix })) {
        if (this.jsonEnabled() || tty) keys.push(...page);
        else await writeStdout(page.map((k) => `${k.name}\n`).join(''));
      }
      if (tty) this.log(await this.table(keys));
      return { keys, list_complete: true };
    }
    const page = await kv.list({
      prefix,
      ...(this.flags.limit === undefined ? {} : { limit: this.flags.limit }),
      ...(this.flags.cursor ? { cursor: this.flags.cursor } : {}),
    });
    if (!this.jsonEnabled()) {
      if (tty) this.log(await this.table(page.keys));
      else await writeStdout(page.keys.map((k) => `${k.name}\n`).join(''));
      if (!page.list_complete && page.cursor) this.info(`more keys follow: add --cursor ${page.cursor} (or use --all)`);
    }
    return page;
  }

  private table(keys: KeyInfo[]): Promise<string> {
    return renderTable(keys, [
      { header: 'key', get: (k) => k.name, flexible: true },
      { header: 'expiration', get: (k) => formatExpiration(k.expiration) },
      { header: 'metadata', get: (k) => (k.metadata === undefined ? '' : JSON.stringify(k.metadata)), flexible: true },
    ]);
  }
}
