/** What `kv list` does once its arguments are parsed (by oclif or by src/cli/dispatch.ts). */
import type KvListCommand from '../../commands/kv/list.js';
import {
  KeysLeftOutError,
  collectKeyPages,
  isOnePage,
  keyPages,
  printKeyNames,
  quotedKeysNote,
  writeKeyListJson,
} from '../../lib/key-listing.js';
import type { KeyInfo } from '../../lib/kv.js';
// The leaf, not term/index.js: this file is on the fast path, which loads no module it does not use (see term/index.ts).
import { formatExpiration, isTTY, renderTable, warn, writeStdout } from '../../lib/term/output.js';
import { validateListLimit } from '../../lib/validation.js';
import type { CommandSession } from '../command-session.js';

export interface KvListResult {
  keys: KeyInfo[];
  list_complete: boolean;
  cursor?: string;
}

export async function action(session: CommandSession<typeof KvListCommand>): Promise<KvListResult> {
  const { flags } = session;
  const kv = await session.namespace();
  const request = {
    prefix: flags.prefix,
    limit: flags.limit === undefined ? undefined : parseListLimit(flags.limit),
    cursor: flags.cursor,
    all: flags.all,
  };
  const pages = keyPages(kv, request);
  if (session.json && !isOnePage(request)) {
    await writeKeyListJson(pages, writeStdout);
    session.jsonWritten = true;
    return { keys: [], list_complete: true };
  }
  if (session.json || (isTTY() && !flags.null)) {
    const listed = await collectKeyPages(pages);
    if (!session.json) {
      session.log(await table(listed.keys));
      nextCursorNote(session, listed.cursor);
    }
    return listed;
  }
  const printed = await printKeyNames(pages, flags.null ? 'null' : 'lines', writeStdout);
  if (printed.quoted > 0) warn(quotedKeysNote(printed.quoted));
  nextCursorNote(session, printed.cursor);
  if (printed.leftOut.length > 0) throw new KeysLeftOutError(printed.leftOut);
  return { keys: [], list_complete: printed.list_complete, ...(printed.cursor ? { cursor: printed.cursor } : {}) };
}

function nextCursorNote(session: CommandSession<typeof KvListCommand>, cursor: string | undefined): void {
  if (cursor) session.info(`more keys follow: add --cursor ${cursor} (or leave out --limit and --cursor to list every key)`);
}

/**
 * --limit is declared as a string flag: the fast path cannot run oclif's integer parser,
 * so both paths read the number here, with the list limit's own message.
 */
function parseListLimit(text: string): number {
  return validateListLimit(/^-?\d+$/.test(text) ? Number(text) : text);
}

function table(keys: KeyInfo[]): Promise<string> {
  return renderTable(keys, [
    { header: 'key', get: (k) => k.name, flexible: true },
    { header: 'expiration', get: (k) => formatExpiration(k.expiration) },
    { header: 'metadata', get: (k) => (k.metadata === undefined ? '' : JSON.stringify(k.metadata)), flexible: true },
  ]);
}
