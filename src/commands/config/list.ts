import { Flags } from '@oclif/core';
import { BaseCommand } from '../../cli/base-command.js';
import {
  ConfigStore,
  type ResolvedSetting,
  type SettingName,
  type SettingValues,
  resolvedValues,
  shownValues,
} from '../../lib/config/index.js';
import { isTTY, renderTable } from '../../lib/term/index.js';

export interface ConfigListResult {
  profile: string;
  file: string;
  /** The profile's stored values (without --resolved). */
  values?: SettingValues;
  /** Every setting's effective value and where it came from (with --resolved). */
  resolved?: Record<SettingName, ResolvedSetting>;
}

export default class ConfigList extends BaseCommand<typeof ConfigList> {
  static override summary = 'Show the settings stored in a profile, or every effective setting with --resolved.';
  static override description = `Without flags: the values stored in the active profile (or --profile), one "key=value" a line when piped.
--resolved: every setting's effective value and its source (flag, env, profile, default), after
flags > environment > profile > defaults. The token is shown masked (****cdef) unless --show-secrets.`;
  static override examples = [
    '<%= config.bin %> config list',
    '<%= config.bin %> config list --resolved',
    '<%= config.bin %> config list --profile prod --show-secrets --json',
  ];
  static override flags = {
    resolved: Flags.boolean({ summary: 'Show the effective value of every setting and where it came from.' }),
    'show-secrets': Flags.boolean({ summary: 'Show the token in clear.' }),
  };

  async run(): Promise<ConfigListResult> {
    const showSecrets = this.flags['show-secrets'];
    const store = new ConfigStore();
    if (this.flags.resolved) {
      const resolved = this.settings();
      const rows = resolvedValues(resolved, showSecrets);
      const profile = resolved.profile ?? 'default';
      if (!this.jsonEnabled()) await this.printResolved(rows);
      return { profile, file: store.file, resolved: rows };
    }
    const profile = store.selectedProfile(this.flags.profile);
    const values = shownValues(store.read().profiles[profile] ?? {}, showSecrets);
    if (!this.jsonEnabled()) {
      const entries = Object.entries(values);
      if (entries.length === 0) {
        this.info(
          `no settings stored in profile '${profile}' (${store.file}); see the effective ones with: kvadm config list${this.flags.profile ? ` --profile ${this.flags.profile}` : ''} --resolved`,
        );
      } else if (isTTY()) {
        this.log(
          await renderTable(entries, [
            { header: 'setting', get: ([k]) => k },
            { header: 'value', get: ([, v]) => v as string, flexible: true },
          ]),
        );
      } else {
        for (const [key, value] of entries) this.log(`${key}=${value}`);
      }
    }
    return { profile, file: store.file, values };
  }

  private async printResolved(rows: Record<SettingName, ResolvedSetting>): Promise<void> {
    const entries = Object.entries(rows) as Array<[SettingName, ResolvedSetting]>;
    if (isTTY()) {
      this.log(
        await renderTable(entries, [
          { header: 'setting', get: ([k]) => k },
          { header: 'value', get: ([, r]) => r.value ?? '', flexible: true },
          { header: 'source', get: ([, r]) => r.from },
        ]),
      );
    } else {
      for (const [key, r] of entries) this.log(`${key}=${r.value ?? ''}\t(${r.from})`);
    }
  }
}
