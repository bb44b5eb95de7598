import { Args } from '@oclif/core';
import { BaseCommand } from '../../cli/base-command.js';
import { ConfigStore, SETTING_NAMES, type SettingName } from '../../lib/config/index.js';

export interface ConfigUnsetResult {
  profile: string;
  /** A setting name, or an unknown name the profile held (removed to repair the file). */
  key: SettingName | string;
  /** False when the setting was not stored (not an error). */
  removed: boolean;
}

export default class ConfigUnset extends BaseCommand<typeof ConfigUnset> {
  static override summary = 'Remove a setting from a profile (the active one, or --profile).';
  static override description =
    'The setting falls back to its environment variable or default. Unsetting what is not set is not an error. A name kvadm does not know is removed when the profile holds it (repairing a hand-edited file); otherwise it is exit 2.';
  static override examples = ['<%= config.bin %> config unset token', '<%= config.bin %> config unset --profile prod url'];
  static override args = {
    key: Args.string({ description: `Setting: ${SETTING_NAMES.join(', ')}.`, required: true }),
  };

  async run(): Promise<ConfigUnsetResult> {
    const store = new ConfigStore();
    const key = this.args.key;
    const profile = store.selectedProfile(this.flags.profile);
    const removed = await store.unset(profile, key);
    this.info(removed ? `removed ${key} from profile '${profile}'` : `${key} was not set in profile '${profile}'`);
    return { profile, key, removed };
  }
}
