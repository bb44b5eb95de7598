/** Settings of one command run: its parsed global flags, the environment and the active profile. */
// Leaf files, not config/index.js: this file is on the fast path, which loads no module it does not use (see config/index.ts).
import { loadProfileValues } from '../lib/config/profile-values.js';
import { type ResolvedSettings, SETTING_NAMES, type SettingValues, resolveSettings } from '../lib/config/settings.js';

export function settingsFromFlags(flags: Record<string, unknown>, env: NodeJS.ProcessEnv = process.env): ResolvedSettings {
  const flagValues: SettingValues = {};
  for (const name of SETTING_NAMES) {
    if (typeof flags[name] === 'string') flagValues[name] = flags[name] as string;
  }
  const profile = loadProfileValues(typeof flags.profile === 'string' ? flags.profile : undefined, env);
  return resolveSettings({
    flags: flagValues,
    env,
    profileValues: profile.values,
    ...(profile.name ? { profileName: profile.name } : {}),
  });
}
