import { Args, Flags } from '@oclif/core';
import { BaseCommand } from '../../cli/base-command.js';
import { chooseOne, confirmDestructive } from '../../lib/term/index.js';
import { UsageError } from '../../lib/errors.js';
import { KV } from '../../lib/kv.js';
import { DEFAULT_NAMESPACE } from '../../lib/limits.js';
import { counted } from '../../lib/words.js';

export interface NsDeleteResult {
  namespace: string;
  deleted: boolean;
}

export default class NsDelete extends BaseCommand<typeof NsDelete> {
  static override summary = 'Delete a namespace and every key in it.';
  static override description =
    'Without NAME, a terminal offers the namespaces to choose from. Asks for confirmation on a terminal; needs --force otherwise. Deleting the default namespace empties it (it is created again, empty, on next use).';
  static override examples = ['<%= config.bin %> ns delete users', '<%= config.bin %> ns delete users --force'];
  static override args = {
    name: Args.string({ description: 'Namespace to delete.' }),
  };
  static override flags = {
    force: Flags.boolean({ char: 'f', summary: 'Do not ask for confirmation.' }),
  };

  async run(): Promise<NsDeleteResult> {
    const backend = await this.backend();
    // On a terminal, a missing name is asked for; elsewhere it is a usage error.
    const name = this.args.name ?? (await chooseOne('Delete which namespace?', await KV.listNamespaces({ backend })));
    if (!name) throw new UsageError('missing the namespace to delete', 'give its name: kvadm ns delete NAME');
    const kv = await KV.open(name, { backend });
    const { keyCount } = await kv.namespaceInfo();
    const confirmed = await confirmDestructive({
      action: `delete namespace '${name}' and its ${counted(keyCount, 'key')}`,
      force: this.flags.force,
      typeToConfirm: name,
    });
    if (!confirmed) {
      this.info('nothing deleted');
      return { namespace: name, deleted: false };
    }
    await KV.delete(name, { backend });
    this.info(
      name === DEFAULT_NAMESPACE
        ? `deleted the default namespace '${name}' (${counted(keyCount, 'key')}); it will be created again, empty, on next use`
        : `deleted namespace '${name}' (${counted(keyCount, 'key')})`,
    );
    return { namespace: name, deleted: true };
  }
}
