import { Flags } from '@oclif/core';
import { BaseCommand } from '../../cli/base-command.js';
import { type WrittenBridge, writeBridge } from '../../lib/azion/bridge/files.js';

export default class AzionBridge extends BaseCommand<typeof AzionBridge> {
  static override summary = 'Write the kvadm bridge, an Azion edge Function giving kvadm access to keys in Azion KV.';
  static override description =
    `Azion's API manages namespaces only; keys are reachable only from an edge Function. The bridge is that Function: it serves the protocol of "kvadm serve" on top of Azion.KV, behind a bearer secret.
Writes bridge.js (one self-contained ES module) and README.md (deploying it with the azion CLI, setting its secret, what it costs and how its key index behaves) into --out.
Try it locally first with "kvadm azion emulate".`;
  static override examples = ['<%= config.bin %> azion bridge', '<%= config.bin %> azion bridge --out ./deploy/kvadm-bridge --force'];
  static override enableJsonFlag = true;
  static override flags = {
    out: Flags.string({
      char: 'o',
      summary: 'Folder to write bridge.js and README.md into (created when missing).',
      default: 'kvadm-bridge',
    }),
    force: Flags.boolean({ char: 'f', summary: 'Replace files that already exist.' }),
  };

  async run(): Promise<WrittenBridge> {
    const written = await writeBridge(this.flags.out, { overwrite: this.flags.force });
    if (!this.jsonEnabled()) {
      for (const file of written.files) this.log(file);
      process.stderr.write(`next: read ${written.files[1]} to deploy it (azion create variables …, azion create function …)\n`);
    }
    return written;
  }
}
