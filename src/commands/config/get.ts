import { Args, Flags } from '@oclif/core';
import { BaseCommand } from '../../cli/base-command.js';
import {
  ConfigStore,
  SETTING_NAMES,
  type SettingName,
  type SettingSource,
  displayValue,
  effectiveValue,
  validateSettingName,
} from '../../lib/config/index.js';
import { ExitCode, KvadmError } from '../../lib/errors.js';

export interface ConfigGetResult {
  profile: string;
  key: SettingName;
  /** The token is masked unless --show-secrets. */
  value: string | null;
  /** With --resolved: where the value came from. */
  source?: SettingSource;
}

export default class ConfigGet extends BaseCommand<typeof ConfigGet> {
  static override summary = 'Print one setting of a profile.';
  static override description = `Prints the value stored in the profile (the active one, or --profile); exits 3 when it is not set there.
With --resolved, prints the effective value instead (flags > environment > profile > default).
The token is masked unless --show-secrets is given.`;
  static override examples = ['<%= config.bin %> config get url', '<%= config.bin %> config get namespace --resolved'];
  static override args = {
    key: Args.string({ description: `Setting: ${SETTING_NAMES.join(', ')}.`, required: true }),
  };
  static override flags = {
    resolved: Flags.boolean({ summary: 'Print the effective value (flags, environment, profile, default).' }),
    'show-secrets': Flags.boolean({ summary: 'Print the token in clear.' }),
  };

  async run(): Promise<ConfigGetResult> {
    const key = validateSettingName(this.args.key);
    const showSecrets = this.flags['show-secrets'];
    let result: ConfigGetResult;
    if (this.flags.resolved) {
      const resolved = this.settings();
      result = {
        profile: resolved.profile ?? 'default',
        key,
        value: displayValue(key, effectiveValue(resolved, key), showSecrets) ?? null,
        source: resolved.sources[key],
      };
    } else {
      const store = new ConfigStore();
      const profile = store.selectedProfile(this.flags.profile);
      const stored = store.read().profiles[profile]?.[key];
      if (stored === undefined) {
        throw new KvadmError('SETTING_NOT_SET', `${key} is not set in profile '${profile}'`, {
          exitCode: ExitCode.notFound,
          hint: `set it with: kvadm config set${this.flags.profile ? ` --profile ${this.flags.profile}` : ''} ${key} VALUE (kvadm config list --resolved shows the effective values)`,
          details: { profile, key },
        });
      }
      result = { profile, key, value: displayValue(key, stored, showSecrets) as string };
    }
    if (!this.jsonEnabled() && result.value !== null) this.log(result.value);
    return result;
  }
}
