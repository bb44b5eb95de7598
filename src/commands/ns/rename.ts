import { Args } from '@oclif/core';
import { BaseCommand } from '../../cli/base-command.js';
import { KV } from '../../lib/kv.js';

export interface NsRenameResult {
  from: string;
  to: string;
}

export default class NsRename extends BaseCommand<typeof NsRename> {
  static override summary = 'Rename a namespace, keeping its keys.';
  static override description = 'Exits 3 when the namespace does not exist and 4 when the new name is taken.';
  static override examples = ['<%= config.bin %> ns rename users users-v1'];
  static override args = {
    from: Args.string({ description: 'Current name.', required: true }),
    to: Args.string({ description: 'New name.', required: true }),
  };

  async run(): Promise<NsRenameResult> {
    const backend = await this.backend();
    await KV.open(this.args.from, { backend });
    const kv = await KV.renameNamespace(this.args.from, this.args.to, { backend });
    this.info(`renamed namespace '${this.args.from}' to '${kv.name}'`);
    return { from: this.args.from, to: kv.name };
  }
}
