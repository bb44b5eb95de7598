import { Args, Flags } from '@oclif/core';
import { BaseCommand } from '../../cli/base-command.js';
import { KV_GET_TYPES, type KvGetResult, action } from '../../cli/actions/kv-get.js';

export type { KvGetResult } from '../../cli/actions/kv-get.js';

export default class KvGet extends BaseCommand<typeof KvGet> {
  static override summary = 'Read a key.';
  static override description = `Writes the stored bytes to stdout exactly (no newline added), so binary values survive shell redirection.
A missing or expired key prints nothing on stdout, a reason on stderr, and exits 3.`;
  static override examples = [
    '<%= config.bin %> kv get greeting',
    '<%= config.bin %> kv get logo.png > logo.png',
    '<%= config.bin %> kv get config --type json',
    '<%= config.bin %> kv get session:42 --with-metadata',
  ];
  static override args = {
    key: Args.string({ description: 'Key to read.', required: true }),
  };
  static override flags = {
    type: Flags.string({
      char: 't',
      summary: 'binary: bytes as stored (default); text: decoded as UTF-8; json: parsed and pretty-printed.',
      options: [...KV_GET_TYPES],
      default: 'binary',
    }),
    'with-metadata': Flags.boolean({
      summary: 'Print JSON {key, value, metadata, expiration}; binary values as base64 with "base64": true.',
    }),
    'cache-ttl': Flags.string({ summary: 'Edge cache TTL for the read (at least 60 s); validated, used by remote stores.' }),
    out: Flags.string({ char: 'o', summary: 'Write the value to this file instead of stdout.' }),
  };

  async run(): Promise<KvGetResult> {
    return action(this.session);
  }
}
