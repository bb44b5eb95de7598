import { Args } from '@oclif/core';
import { BaseCommand } from '../../cli/base-command.js';
import { UsageError } from '../../lib/errors.js';

export interface KvDeleteResult {
  namespace: string;
  deleted: number;
  /** Keys that did not exist (deleting them is not an error). */
  missing: string[];
}

export default class KvDelete extends BaseCommand<typeof KvDelete> {
  static override summary = 'Delete keys.';
  static override description =
    'Deleting a key that does not exist is not an error (the store ends up the same); such keys are reported as missing.';
  static override examples = ['<%= config.bin %> kv delete greeting', '<%= config.bin %> kv delete a b c'];
  static override strict = false;
  static override args = {
    keys: Args.string({ description: 'Keys to delete.' }),
  };

  async run(): Promise<KvDeleteResult> {
    const keys = this.parsedArgv as string[];
    if (keys.length === 0) throw new UsageError('missing the keys to delete', 'give one or more keys: kvadm kv delete KEY...');
    const kv = await this.namespace();
    const missing: string[] = [];
    let deleted = 0;
    for (const key of keys) {
      if (await kv.delete(key)) deleted++;
      else missing.push(key);
    }
    this.info(`deleted ${deleted} of ${keys.length} keys from '${kv.name}'${missing.length ? ` (${missing.length} did not exist)` : ''}`);
    return { namespace: kv.name, deleted, missing };
  }
}
