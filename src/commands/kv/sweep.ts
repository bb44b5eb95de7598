import { BaseCommand } from '../../cli/base-command.js';
import { formatExpiration } from '../../lib/term/index.js';
import { counted } from '../../lib/words.js';

export interface KvSweepResult {
  namespace: string;
  deleted: number;
  nextExpiration: number | null;
}

export default class KvSweep extends BaseCommand<typeof KvSweep> {
  static override summary = 'Remove expired keys from storage now.';
  static override description =
    'Expired keys are never returned by reads or listings; sweeping frees their space. Stores are also swept (bounded) when opened.';
  static override examples = ['<%= config.bin %> kv sweep -n sessions'];

  async run(): Promise<KvSweepResult> {
    const kv = await this.namespace();
    const { deleted, nextExpiration } = await kv.sweep();
    this.info(
      `swept ${counted(deleted, 'expired key')} from '${kv.name}'${nextExpiration ? `; next expiry ${formatExpiration(nextExpiration)}` : ''}`,
    );
    return { namespace: kv.name, deleted, nextExpiration };
  }
}
