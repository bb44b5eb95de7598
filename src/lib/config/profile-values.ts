/**
 * The active profile's settings, read on every command start. Kept free of heavy
 * imports (no conf, no ajv) because it runs before every command, `kv get` included:
 * the file is conf's plain JSON store (see file.ts), read and checked directly.
 */
import { type ProfileSource, configFilePath, readConfigFile, selectProfileName, unknownProfileError } from './file.js';
import type { SettingValues } from './settings.js';

export interface ProfileSelection {
  /** The profile in use ("default" when nothing chose another). */
  name: string | undefined;
  values: SettingValues;
  /** What chose the profile: --profile, KVADM_PROFILE, the file's activeProfile, or nothing. */
  source?: ProfileSource;
  /** The config file (which may not exist). */
  file?: string;
}

/**
 * Select the profile (--profile > KVADM_PROFILE > activeProfile > "default") and return
 * its stored values. A corrupt file or an unknown profile named by --profile or
 * KVADM_PROFILE is a KvadmError with exit 2.
 */
export function loadProfileValues(flagProfile: string | undefined, env: NodeJS.ProcessEnv): ProfileSelection {
  const file = configFilePath(env);
  const config = readConfigFile(file, { env });
  const { name, source } = selectProfileName(flagProfile, env, config);
  const values = config?.profiles[name];
  if (values === undefined && (source === 'flag' || source === 'env') && name !== 'default') {
    throw unknownProfileError(name, source, config);
  }
  return { name, values: { ...values }, source, file };
}
