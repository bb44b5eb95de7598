import { Args } from '@oclif/core';
import { BaseCommand } from '../../cli/base-command.js';
import { SECRET_SETTINGS, displayValue, validateSettingName, validateSettingValue } from '../../lib/config-file.js';
import { ConfigStore } from '../../lib/config-store.js';
import { interactive } from '../../lib/confirm.js';
import { UsageError } from '../../lib/errors.js';
import { SETTING_NAMES, type SettingName } from '../../lib/settings.js';
import { readStream } from '../../lib/values.js';

export interface ConfigSetResult {
  profile: string;
  key: SettingName;
  /** The stored value (the token masked). */
  value: string;
  file: string;
}

export default class ConfigSet extends BaseCommand<typeof ConfigSet> {
  static override summary = 'Store a setting in a profile (the active one, or --profile; created when new).';
  static override description = `Settings: ${SETTING_NAMES.join(', ')}. Values are checked before anything is written: an unknown
setting, an unknown backend, a URL that is not http(s), or an invalid namespace name exits 2.
VALUE "-" reads the value from stdin (keeps a token out of shell history); without VALUE a
terminal asks for it (hidden for the tokens), anything else exits 2.`;
  static override examples = [
    '<%= config.bin %> config set backend http',
    '<%= config.bin %> config set --profile prod url https://kv.example.com/client/v4',
    'printf %s "$TOKEN" | <%= config.bin %> config set --profile prod token -',
  ];
  static override args = {
    key: Args.string({ description: `Setting: ${SETTING_NAMES.join(', ')}.`, required: true }),
    value: Args.string({ description: 'Value; "-" reads stdin; absent asks on a terminal.' }),
  };

  async run(): Promise<ConfigSetResult> {
    const store = new ConfigStore();
    const key = validateSettingName(this.args.key);
    const profile = store.selectedProfile(this.flags.profile);
    const value = await this.readValue(key);
    const stored = await store.set(profile, key, value);
    const shown = displayValue(key, stored.value, false) as string;
    this.info(`set ${key} = ${shown} in profile '${profile}' (${store.file})`);
    return { profile, key, value: shown, file: store.file };
  }

  private async readValue(key: SettingName): Promise<string> {
    const given = this.args.value;
    if (given !== undefined && given !== '-') return given;
    if (given === '-') {
      // Bounded like any value read from stdin: `cat /dev/zero | kvadm config set token -` stops at 25 MiB.
      const bytes = await readStream(process.stdin as AsyncIterable<Buffer>, undefined, 'stdin');
      // One trailing newline is what `echo` adds, not part of the value.
      return Buffer.from(bytes)
        .toString('utf8')
        .replace(/\r?\n$/, '');
    }
    if (!interactive()) {
      throw new UsageError(`missing the value of ${key}`, `give it: kvadm config set ${key} VALUE (or "-" to read stdin)`);
    }
    const prompts = await import('@inquirer/prompts');
    const validate = (text: string) => {
      try {
        validateSettingValue(key, text);
        return true;
      } catch (error) {
        return (error as Error).message;
      }
    };
    const message = `Value of ${key}:`;
    return SECRET_SETTINGS.includes(key)
      ? prompts.password({ message, mask: '*', validate }, { output: process.stderr })
      : prompts.input({ message, validate }, { output: process.stderr });
  }
}
