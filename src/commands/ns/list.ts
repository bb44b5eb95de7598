import { BaseCommand } from '../../cli/base-command.js';
import { KV } from '../../lib/kv.js';
import { isTTY, renderTable } from '../../lib/output.js';

export interface NsListResult {
  namespaces: string[];
}

export default class NsList extends BaseCommand<typeof NsList> {
  static override summary = 'List namespaces.';
  static override description = 'Prints one name a line when piped, a table on a terminal.';
  static override examples = ['<%= config.bin %> ns list', '<%= config.bin %> ns list --json'];

  async run(): Promise<NsListResult> {
    const namespaces = await KV.list({ backend: await this.backend() });
    if (!this.jsonEnabled()) {
      if (isTTY()) {
        this.log(await renderTable(namespaces, [{ header: 'namespace', get: (name) => name, flexible: true }]));
      } else {
        for (const name of namespaces) this.log(name);
      }
    }
    return { namespaces };
  }
}
