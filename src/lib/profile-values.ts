/**
 * The active profile's settings, read on every command start. Kept free of heavy
 * imports (no conf, no ajv) because it runs before every command, `kv get` included;
 * the file is conf's JSON store, written by `kvadm config` commands.
 */
import type { SettingValues } from './settings.js';

export interface ProfileSelection {
  name: string | undefined;
  values: SettingValues;
}

/** Profiles come with the configuration feature; until a config file exists there are none. */
export function loadProfileValues(_flagProfile: string | undefined, _env: NodeJS.ProcessEnv): ProfileSelection {
  return { name: undefined, values: {} };
}
