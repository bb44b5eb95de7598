import { Args, Flags } from '@oclif/core';
import { BaseCommand } from '../../cli/base-command.js';
import { type KvPutResult, action } from '../../cli/actions/kv-put.js';

export type { KvPutResult } from '../../cli/actions/kv-put.js';

export default class KvPut extends BaseCommand<typeof KvPut> {
  static override summary = 'Write a key.';
  static override description =
    `The value comes from the VALUE argument, from --file (binary-safe), or from stdin when VALUE is "-" (or --file -); without any of them kv put exits 2.
Files and stdin are read up to the 25 MiB limit and refused past it (also endless sources such as /dev/zero).
A write replaces the value, expiration and metadata. Limits: key 1-512 bytes, value 25 MiB, metadata 1024 bytes, TTL at least 60 s.`;
  static override examples = [
    '<%= config.bin %> kv put greeting hello',
    '<%= config.bin %> kv put session:42 "$TOKEN" --ttl 15m --metadata \'{"user":42}\'',
    '<%= config.bin %> kv put logo.png --file logo.png',
    'cat data.json | <%= config.bin %> kv put config - --json-value',
    "<%= config.bin %> kv put empty ''",
  ];
  static override args = {
    key: Args.string({ description: 'Key (1 to 512 bytes of UTF-8).', required: true }),
    value: Args.string({ description: 'Value; "-" reads stdin.' }),
  };
  static override flags = {
    file: Flags.string({ char: 'f', summary: 'Read the value from this file (bytes exactly); "-" reads stdin.' }),
    ttl: Flags.string({ summary: 'Time to live: seconds or a duration (90, 15m, 1h, 7d); at least 60 s.', exclusive: ['expiration'] }),
    expiration: Flags.string({ summary: 'Absolute expiry: unix seconds or ISO-8601 with a zone (Z, +02:00); at least 60 s ahead.' }),
    metadata: Flags.string({ summary: 'Metadata as JSON (at most 1024 bytes serialised).' }),
    'json-value': Flags.boolean({ summary: 'Check that the value is valid JSON before storing it.' }),
  };

  async run(): Promise<KvPutResult> {
    return action(this.session);
  }
}
