import { BaseCommand } from '../../cli/base-command.js';
import { type NsListResult, action } from '../../cli/actions/ns-list.js';

export type { NsListResult } from '../../cli/actions/ns-list.js';

export default class NsList extends BaseCommand<typeof NsList> {
  static override summary = 'List namespaces.';
  static override description = 'Prints one name a line when piped, a table on a terminal.';
  static override examples = ['<%= config.bin %> ns list', '<%= config.bin %> ns list --json'];

  async run(): Promise<NsListResult> {
    return action(this.session);
  }
}
