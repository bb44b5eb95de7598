import { Args } from '@oclif/core';
import { BaseCommand } from '../../cli/base-command.js';
import { KV } from '../../lib/kv.js';

export interface NsCreateResult {
  namespace: string;
  created: true;
}

export default class NsCreate extends BaseCommand<typeof NsCreate> {
  static override summary = 'Create a namespace.';
  static override description =
    'Names are 1 to 64 characters of A-Z a-z 0-9 . _ - and do not start with ".". Exits 4 when the namespace exists.';
  static override examples = ['<%= config.bin %> ns create users'];
  static override args = {
    name: Args.string({ description: 'Name of the new namespace.', required: true }),
  };

  async run(): Promise<NsCreateResult> {
    const kv = await KV.create(this.args.name, { backend: await this.backend() });
    this.info(`created namespace '${kv.name}'`);
    return { namespace: kv.name, created: true };
  }
}
