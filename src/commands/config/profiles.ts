import { BaseCommand } from '../../cli/base-command.js';
import { ConfigStore } from '../../lib/config/index.js';
import { isTTY, renderTable } from '../../lib/term/index.js';

export interface ConfigProfilesResult {
  active: string;
  file: string;
  profiles: Array<{ name: string; active: boolean; settings: string[] }>;
}

export default class ConfigProfiles extends BaseCommand<typeof ConfigProfiles> {
  static override summary = 'List the profiles; the active one is marked with *.';
  static override description = 'Piped: one name a line, the active one prefixed with "* ". The "default" profile always exists.';
  static override examples = ['<%= config.bin %> config profiles', '<%= config.bin %> config profiles --json'];

  async run(): Promise<ConfigProfilesResult> {
    const store = new ConfigStore();
    const profiles = store.profiles().map((p) => ({ name: p.name, active: p.active, settings: Object.keys(p.values) }));
    const result = { active: store.activeProfile(), file: store.file, profiles };
    if (!this.jsonEnabled()) {
      if (isTTY()) {
        this.log(
          await renderTable(profiles, [
            { header: 'active', get: (p) => (p.active ? '*' : '') },
            { header: 'profile', get: (p) => p.name },
            { header: 'settings', get: (p) => p.settings.join(', '), flexible: true },
          ]),
        );
      } else {
        for (const p of profiles) this.log(`${p.active ? '* ' : '  '}${p.name}`);
      }
    }
    return result;
  }
}
