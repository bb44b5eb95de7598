/**
 * Configuration: where settings come from and where files live. Settings resolve
 * flags > environment > active profile > defaults (settings.ts, pure); profiles live in one
 * JSON file in the config folder (file.ts reads and checks it, store.ts writes it through
 * conf, profile-values.ts picks the active profile's values); report.ts shows effective
 * values for `kvadm config`; paths.ts names the per-user data and config folders.
 *
 * Code elsewhere imports from this index, except modules on the fast path (src/cli/dispatch.ts
 * and what it loads for the commands in its FAST_ACTIONS): they import the leaf file they
 * need, because this index loads every file of the folder, and each module costs start-up
 * time that `kvadm kv get` in a shell loop pays on every call (the two indexes added 7
 * modules there, measured at several ms of CPU per run).
 */
export {
  ConfigFileError,
  SECRET_SETTINGS,
  configFilePath,
  displayValue,
  maskSecret,
  profileNames,
  readConfigFile,
  selectProfileName,
  validateSettingName,
  validateSettingValue,
} from './file.js';
export { checkDataDir, defaultDataDir, makeFolder } from './paths.js';
export { loadProfileValues } from './profile-values.js';
export { type ResolvedSetting, effectiveValue, resolvedValues, shownValues } from './report.js';
export {
  BACKEND_KINDS,
  DEFAULT_ACCOUNT,
  type ResolvedSettings,
  SETTING_NAMES,
  type SettingName,
  type SettingSource,
  type SettingValues,
  type Settings,
  resolveSettings,
} from './settings.js';
export { ConfigStore } from './store.js';
