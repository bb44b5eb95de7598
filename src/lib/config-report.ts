/** What `kvadm config list/get` show: stored values and effective values, secrets masked. */
import { displayValue } from './config-file.js';
import {
  type ResolvedSettings,
  SETTING_NAMES,
  type SettingName,
  type SettingSource,
  type SettingValues,
  describeSource,
} from './settings.js';

export interface ResolvedSetting {
  value: string | null;
  source: SettingSource;
  /** Where exactly: "--url", "KVADM_URL", "profile prod", "default". */
  from: string;
}

/** The stored values in setting order, the token masked unless `showSecrets`. */
export function shownValues(values: SettingValues, showSecrets: boolean): SettingValues {
  const shown: SettingValues = {};
  for (const name of SETTING_NAMES) {
    const value = displayValue(name, values[name], showSecrets);
    if (value !== undefined) shown[name] = value;
  }
  return shown;
}

export function effectiveValue(resolved: ResolvedSettings, name: SettingName): string | undefined {
  const { settings } = resolved;
  switch (name) {
    case 'backend':
      return settings.backend;
    case 'data-dir':
      return settings.dataDir;
    case 'url':
      return settings.url;
    case 'account':
      return settings.account;
    case 'token':
      return settings.token;
    case 'namespace':
      return settings.namespace;
    case 'azion-token':
      return settings.azionToken;
    case 'azion-api-url':
      return settings.azionApiUrl;
    case 'azion-bridge-url':
      return settings.azionBridgeUrl;
    case 'azion-bridge-token':
      return settings.azionBridgeToken;
  }
}

export function resolvedValues(resolved: ResolvedSettings, showSecrets: boolean): Record<SettingName, ResolvedSetting> {
  const out = {} as Record<SettingName, ResolvedSetting>;
  for (const name of SETTING_NAMES) {
    const source = resolved.sources[name];
    out[name] = {
      value: displayValue(name, effectiveValue(resolved, name), showSecrets) ?? null,
      source,
      from: describeSource(source, name, resolved.profile),
    };
  }
  return out;
}
