/** What `kv list` does once its arguments are parsed (by oclif or by src/cli/dispatch.ts). */
import type KvListCommand from '../../commands/kv/list.js';
import type { KeyInfo } from '../../lib/kv.js';
import { formatExpiration, isTTY, renderTable, writeStdout } from '../../lib/output.js';
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
  const prefix = flags.prefix ?? '';
  const tty = isTTY() && !session.json;
  if (flags.all) {
    const keys: KeyInfo[] = [];
    for await (const page of kv.listAll({ prefix })) {
      if (session.json || tty) keys.push(...page);
      else await writeStdout(page.map((k) => `${k.name}\n`).join(''));
    }
    if (tty) session.log(await table(keys));
    return { keys, list_complete: true };
  }
  const page = await kv.list({
    prefix,
    ...(flags.limit === undefined ? {} : { limit: parseListLimit(flags.limit) }),
    ...(flags.cursor ? { cursor: flags.cursor } : {}),
  });
  if (!session.json) {
    if (tty) session.log(await table(page.keys));
    else await writeStdout(page.keys.map((k) => `${k.name}\n`).join(''));
    if (!page.list_complete && page.cursor) session.info(`more keys follow: add --cursor ${page.cursor} (or use --all)`);
  }
  return page;
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
