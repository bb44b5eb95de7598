import { Flags } from '@oclif/core';
import { BaseCommand } from '../../cli/base-command.js';
import type { KeyInfo } from '../../lib/kv.js';
import { NUL_SEPARATED_CHAR } from '../../cli/flag-chars.js';
import {
  KeysLeftOutError,
  collectKeyPages,
  isOnePage,
  keyPages,
  printKeyNames,
  quotedKeysNote,
  writeKeyListJson,
} from '../../lib/key-listing.js';
import { formatExpiration, isTTY, renderTable, warn, writeStdout } from '../../lib/output.js';

export interface KvListResult {
  keys: KeyInfo[];
  list_complete: boolean;
  cursor?: string;
}

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
    limit: Flags.integer({ char: 'l', summary: 'List one page of this many keys, 1 to 1000.', exclusive: ['all'] }),
    cursor: Flags.string({ char: 'c', summary: 'List the page after a previous one (its cursor); with --all, every key after it.' }),
    all: Flags.boolean({ char: 'a', summary: 'List every key (the default; with --cursor, every key after it).' }),
    null: Flags.boolean({
      char: NUL_SEPARATED_CHAR,
      summary: 'Names as they are, each followed by a NUL instead of a line break (for xargs -0).',
      exclusive: ['json'],
    }),
  };

  async run(): Promise<KvListResult> {
    const kv = await this.namespace();
    const request = { prefix: this.flags.prefix, limit: this.flags.limit, cursor: this.flags.cursor, all: this.flags.all };
    const pages = keyPages(kv, request);
    if (this.jsonEnabled() && !isOnePage(request)) {
      await writeKeyListJson(pages, writeStdout);
      this.jsonWritten = true;
      return { keys: [], list_complete: true };
    }
    if (this.jsonEnabled() || (isTTY() && !this.flags.null)) {
      const listed = await collectKeyPages(pages);
      if (!this.jsonEnabled()) {
        this.log(await this.table(listed.keys));
        this.nextCursorNote(listed.cursor);
      }
      return listed;
    }
    const printed = await printKeyNames(pages, this.flags.null ? 'null' : 'lines', writeStdout);
    if (printed.quoted > 0) warn(quotedKeysNote(printed.quoted));
    this.nextCursorNote(printed.cursor);
    if (printed.leftOut.length > 0) throw new KeysLeftOutError(printed.leftOut);
    return { keys: [], list_complete: printed.list_complete, ...(printed.cursor ? { cursor: printed.cursor } : {}) };
  }

  /** Every key's --json result was streamed to stdout as it was listed (the returned result holds no keys). */
  private jsonWritten = false;

  protected override logJson(json: unknown): void {
    if (!this.jsonWritten) super.logJson(json);
  }

  private nextCursorNote(cursor: string | undefined): void {
    if (cursor) this.info(`more keys follow: add --cursor ${cursor} (or leave out --limit and --cursor to list every key)`);
  }

  private table(keys: KeyInfo[]): Promise<string> {
    return renderTable(keys, [
      { header: 'key', get: (k) => k.name, flexible: true },
      { header: 'expiration', get: (k) => formatExpiration(k.expiration) },
      { header: 'metadata', get: (k) => (k.metadata === undefined ? '' : JSON.stringify(k.metadata)), flexible: true },
    ]);
  }
}
