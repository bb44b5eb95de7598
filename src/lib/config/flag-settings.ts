/**
 * Settings of one run: the parsed global flags (none for a library caller), the environment and
 * the active profile. On the fast path: it imports leaf files only (see index.ts).
 */
import { loadProfileValues } from './profile-values.js';
import { type ResolvedSettings, SETTING_NAMES, type SettingValues, resolveSettings } from './settings.js';

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
