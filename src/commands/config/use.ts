import { Args } from '@oclif/core';
import { BaseCommand } from '../../cli/base-command.js';
import { ConfigStore } from '../../lib/config/index.js';

export interface ConfigUseResult {
  activeProfile: string;
}

export default class ConfigUse extends BaseCommand<typeof ConfigUse> {
  static override summary = 'Make a profile the active one.';
  static override description =
    'The profile must exist ("default" always does); create one with: kvadm config set --profile NAME KEY VALUE. --profile and KVADM_PROFILE still win for a single command.';
  static override examples = ['<%= config.bin %> config use prod'];
  static override args = {
    profile: Args.string({ description: 'Profile to activate.', required: true }),
  };

  async run(): Promise<ConfigUseResult> {
    const store = new ConfigStore();
    await store.use(this.args.profile);
    this.info(`active profile is now '${this.args.profile}'`);
    const override = this.flags.profile ?? process.env.KVADM_PROFILE;
    if (override && override !== this.args.profile) {
      this.info(`note: ${this.flags.profile ? '--profile' : 'KVADM_PROFILE'} selects '${override}', which wins over the active profile`);
    }
    return { activeProfile: this.args.profile };
  }
}
