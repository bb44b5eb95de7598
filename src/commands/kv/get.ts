import fs from 'node:fs';
import { Args, Flags } from '@oclif/core';
import { BaseCommand } from '../../cli/base-command.js';
import { toJsonValue } from '../../lib/encoding.js';
import { KeyNotFoundError, UsageError, ValidationError } from '../../lib/errors.js';
import { parseDuration } from '../../lib/duration.js';
import { writeStdout } from '../../lib/output.js';
import { bytesToValue } from '../../lib/values.js';

export interface KvGetResult {
  key: string;
  value: string;
  /** Present when `value` is base64 of bytes that are not UTF-8. */
  base64?: true;
  metadata: unknown;
  expiration: number | null;
}

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
      options: ['binary', 'text', 'json'] as const,
      default: 'binary',
    }),
    'with-metadata': Flags.boolean({
      summary: 'Print JSON {key, value, metadata, expiration}; binary values as base64 with "base64": true.',
    }),
    'cache-ttl': Flags.string({ summary: 'Edge cache TTL for the read (at least 60 s); validated, used by remote stores.' }),
    out: Flags.string({ char: 'o', summary: 'Write the value to this file instead of stdout.' }),
  };

  async run(): Promise<KvGetResult> {
    const { key } = this.args;
    const kv = await this.namespace();
    const cacheTtl = this.flags['cache-ttl'] === undefined ? undefined : parseDuration(this.flags['cache-ttl'], '--cache-ttl');
    const entry = await kv.getEntry(key, cacheTtl === undefined ? {} : { cacheTtl });
    if (entry === null) throw new KeyNotFoundError(key, kv.name);
    const result: KvGetResult = { key, ...toJsonValue(entry.value), metadata: entry.metadata, expiration: entry.expiration };
    if (this.jsonEnabled()) return result;
    if (this.flags['with-metadata']) {
      await writeStdout(`${JSON.stringify(result, null, 2)}\n`);
      return result;
    }
    const output = this.render(entry.value, key);
    if (this.flags.out) {
      try {
        fs.writeFileSync(this.flags.out, output);
      } catch (error) {
        throw new UsageError(
          `cannot write --out ${this.flags.out}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
          'check that the folder exists and is writable',
        );
      }
      this.info(`wrote ${output.byteLength} bytes to ${this.flags.out}`);
    } else {
      await writeStdout(output);
    }
    return result;
  }

  private render(bytes: Uint8Array, key: string): Uint8Array {
    switch (this.flags.type) {
      case 'text':
        return Buffer.from(bytesToValue(bytes, 'text', key) as string, 'utf8');
      case 'json':
        return Buffer.from(`${JSON.stringify(bytesToValue(bytes, 'json', key), null, 2)}\n`, 'utf8');
      case 'binary':
        return bytes;
      default:
        throw new ValidationError('USAGE', `unknown --type ${this.flags.type}`);
    }
  }
}
