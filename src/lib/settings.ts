/**
 * Effective settings: flags > environment > active profile > defaults, with the source
 * of each value recorded (for `kvadm config list --resolved`). Pure: callers pass the
 * flags, the environment and the profile's values.
 */
import { UsageError } from './errors.js';
import { DEFAULT_NAMESPACE } from './limits.js';
import { defaultDataDir } from './paths.js';

export const BACKEND_KINDS = ['local', 'http', 'azion'] as const;
export type BackendKind = (typeof BACKEND_KINDS)[number];

export interface Settings {
  backend: BackendKind;
  dataDir: string;
  url: string | undefined;
  token: string | undefined;
  account: string;
  namespace: string;
  /** Azion personal token for its REST API (namespaces). */
  azionToken: string | undefined;
  azionApiUrl: string;
  /** The kvadm bridge edge Function that carries key operations (Azion has no REST route for keys). */
  azionBridgeUrl: string | undefined;
  azionBridgeToken: string | undefined;
}

/** Setting names as users type them (flags, `config set`). */
export const SETTING_NAMES = [
  'backend',
  'data-dir',
  'url',
  'account',
  'token',
  'namespace',
  'azion-token',
  'azion-api-url',
  'azion-bridge-url',
  'azion-bridge-token',
] as const;
export type SettingName = (typeof SETTING_NAMES)[number];

export const SETTING_ENV: Record<SettingName, string> = {
  backend: 'KVADM_BACKEND',
  'data-dir': 'KVADM_DATA_DIR',
  url: 'KVADM_URL',
  account: 'KVADM_ACCOUNT',
  token: 'KVADM_TOKEN',
  namespace: 'KVADM_NAMESPACE',
  'azion-token': 'KVADM_AZION_TOKEN',
  'azion-api-url': 'KVADM_AZION_API_URL',
  'azion-bridge-url': 'KVADM_AZION_BRIDGE_URL',
  'azion-bridge-token': 'KVADM_AZION_BRIDGE_TOKEN',
};

export type SettingSource = 'flag' | 'env' | 'profile' | 'default';
export type SettingValues = Partial<Record<SettingName, string>>;

export interface ResolvedSettings {
  settings: Settings;
  sources: Record<SettingName, SettingSource>;
  /** The profile whose values were used, if any. */
  profile: string | undefined;
}

export const DEFAULT_URL = 'http://127.0.0.1:8787/client/v4';
export const DEFAULT_ACCOUNT = 'local';
export const DEFAULT_AZION_API_URL = 'https://api.azion.com/v4';

export function resolveSettings(input: {
  flags: SettingValues;
  env: NodeJS.ProcessEnv;
  profileValues?: SettingValues;
  profileName?: string;
}): ResolvedSettings {
  const profileValues = input.profileValues ?? {};
  const sources = {} as Record<SettingName, SettingSource>;
  const pick = (name: SettingName, fallback: string | undefined): string | undefined => {
    const fromFlag = input.flags[name];
    if (fromFlag !== undefined && fromFlag !== '') {
      sources[name] = 'flag';
      return fromFlag;
    }
    const fromEnv = input.env[SETTING_ENV[name]];
    if (fromEnv !== undefined && fromEnv !== '') {
      sources[name] = 'env';
      return fromEnv;
    }
    const fromProfile = profileValues[name];
    if (fromProfile !== undefined && fromProfile !== '') {
      sources[name] = 'profile';
      return fromProfile;
    }
    sources[name] = 'default';
    return fallback;
  };
  const backend = pick('backend', 'local') as string;
  if (!(BACKEND_KINDS as readonly string[]).includes(backend)) {
    throw new UsageError(
      `unknown backend ${JSON.stringify(backend)} (from ${describeSource(sources.backend, 'backend', input.profileName)})`,
      `use one of: ${BACKEND_KINDS.join(', ')}`,
    );
  }
  const settings: Settings = {
    backend: backend as BackendKind,
    dataDir: pick('data-dir', undefined) ?? defaultDataDir({}),
    url: pick('url', DEFAULT_URL),
    token: pick('token', undefined),
    account: pick('account', DEFAULT_ACCOUNT) as string,
    namespace: pick('namespace', DEFAULT_NAMESPACE) as string,
    azionToken: pick('azion-token', undefined),
    azionApiUrl: pick('azion-api-url', DEFAULT_AZION_API_URL) as string,
    azionBridgeUrl: pick('azion-bridge-url', undefined),
    azionBridgeToken: pick('azion-bridge-token', undefined),
  };
  return { settings, sources, profile: input.profileName };
}

/** Where a setting's value came from, for messages ("--url", "KVADM_URL", "profile prod", "default"). */
export function describeSource(source: SettingSource, name: SettingName, profile?: string): string {
  switch (source) {
    case 'flag':
      return `--${name}`;
    case 'env':
      return SETTING_ENV[name];
    case 'profile':
      return `profile ${profile ?? 'default'}`;
    default:
      return 'default';
  }
}
