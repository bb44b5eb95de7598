import { Args, Flags } from '@oclif/core';
import { BaseCommand } from '../../cli/base-command.js';
import type { NamespaceInfo } from '../../lib/kv.js';
import { formatBytes, formatExpiration } from '../../lib/term/index.js';

export interface NsInfoResult extends NamespaceInfo {
  swept?: number;
  nextExpiration?: number | null;
}

export default class NsInfo extends BaseCommand<typeof NsInfo> {
  static override summary = 'Show a namespace: live keys, stored bytes, expired keys not yet swept.';
  static override examples = ['<%= config.bin %> ns info users', '<%= config.bin %> ns info users --sweep --json'];
  static override args = {
    name: Args.string({ description: 'Namespace (default: -n or the configured namespace).' }),
  };
  static override flags = {
    sweep: Flags.boolean({ summary: 'Remove expired keys first and report how many were removed.' }),
  };

  async run(): Promise<NsInfoResult> {
    const kv = await this.namespace(this.args.name ?? this.flags.namespace);
    let result: NsInfoResult;
    if (this.flags.sweep) {
      const swept = await kv.sweep();
      result = { ...(await kv.namespaceInfo()), swept: swept.deleted, nextExpiration: swept.nextExpiration };
    } else {
      result = await kv.namespaceInfo();
    }
    if (!this.jsonEnabled()) {
      this.log(`namespace:     ${result.name}`);
      if (result.createdAt) this.log(`created:       ${result.createdAt}`);
      if (result.lastModified) this.log(`last modified: ${result.lastModified}`);
      this.log(`keys:          ${result.keyCount}`);
      this.log(`stored bytes:  ${result.storedBytes} (${formatBytes(result.storedBytes)})`);
      this.log(`expired keys:  ${result.expiredKeys} (not yet swept)`);
      if (result.swept !== undefined) this.log(`swept now:     ${result.swept}`);
      if (result.nextExpiration) this.log(`next expiry:   ${formatExpiration(result.nextExpiration)}`);
    }
    return result;
  }
}
