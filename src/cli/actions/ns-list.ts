/** What `ns list` does once its arguments are parsed (by oclif or by src/cli/dispatch.ts). */
import type NsListCommand from '../../commands/ns/list.js';
import { KV } from '../../lib/kv.js';
// The leaf, not term/index.js: this file is on the fast path, which loads no module it does not use (see term/index.ts).
import { isTTY, renderTable } from '../../lib/term/output.js';
import type { CommandSession } from '../command-session.js';

export interface NsListResult {
  namespaces: string[];
}

export async function action(session: CommandSession<typeof NsListCommand>): Promise<NsListResult> {
  const namespaces = await KV.listNamespaces({ backend: await session.backend() });
  if (!session.json) {
    if (isTTY()) {
      session.log(await renderTable(namespaces, [{ header: 'namespace', get: (name) => name, flexible: true }]));
    } else {
      for (const name of namespaces) session.log(name);
    }
  }
  return { namespaces };
}
