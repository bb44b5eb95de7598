/**
 * The config file: its location, its format, and the rules its values follow. Pure and
 * light (no conf, no ajv): the profile loader reads it before every command, and the
 * `kvadm config` commands validate with the same functions before writing through conf.
 *
 * The file is plain JSON at `<config dir>/config.json` (KVADM_CONFIG_DIR moves the folder):
 *
 * ```json
 * {
 *   "activeProfile": "default",
 *   "profiles": {
 *     "default": { "backend": "local", "data-dir": "/srv/kv" },
 *     "prod": { "backend": "http", "url": "https://kv.example.com/client/v4", "token": "…" }
 *   }
 * }
 * ```
 */
import fs from 'node:fs';
import path from 'node:path';
import { ExitCode, KvadmError, UsageError } from './errors.js';
import { defaultConfigDir, expandHome } from './paths.js';
import { BACKEND_KINDS, SETTING_NAMES, type SettingName, type SettingValues } from './settings.js';
import { validateNamespaceName } from './validation.js';

export const CONFIG_FILE_NAME = 'config.json';
export const DEFAULT_PROFILE = 'default';
/** Settings whose values are secrets: masked unless --show-secrets. */
export const SECRET_SETTINGS: readonly SettingName[] = ['token', 'azion-token', 'azion-bridge-token'];

export interface ConfigFile {
  activeProfile?: string;
  profiles: Record<string, SettingValues>;
}

export function configFilePath(env: NodeJS.ProcessEnv = process.env): string {
  return path.join(defaultConfigDir(env), CONFIG_FILE_NAME);
}

/** The config file cannot be used as it is: exit 2, naming the file and how to fix it. */
export class ConfigFileError extends KvadmError {
  constructor(file: string, problem: string, hint: string) {
    super('CONFIG_INVALID', `bad config file ${file}: ${problem}`, {
      exitCode: ExitCode.usage,
      hint,
      details: { file },
    });
  }
}

/**
 * The parsed file, or undefined when there is none. `strict` (the default) also checks
 * every stored value; the `config` commands read with `strict: false` so that
 * `config set`/`config unset` can repair a bad value, while broken JSON is refused by both.
 */
export function readConfigFile(file: string, options: { strict?: boolean; env?: NodeJS.ProcessEnv } = {}): ConfigFile | undefined {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return undefined;
    throw new ConfigFileError(file, `cannot read it (${code ?? (error as Error).message})`, 'check its permissions (chmod 600 it)');
  }
  // Editors on Windows save UTF-8 with a byte-order mark; JSON.parse refuses it, so drop it.
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  const rebuild = `fix it by hand, or delete it (rm ${shellQuote(file)}) and set your values again with: kvadm config set KEY VALUE`;
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    const reason = text.trim() === '' ? 'it is empty' : `it is not valid JSON (${(error as Error).message})`;
    throw new ConfigFileError(file, reason, rebuild);
  }
  const config = checkShape(file, data, rebuild);
  if (options.strict ?? true) checkValues(file, config, options.env ?? process.env);
  return config;
}

function checkShape(file: string, data: unknown, hint: string): ConfigFile {
  if (!isPlainObject(data)) throw new ConfigFileError(file, 'the top level must be a JSON object', hint);
  const { activeProfile, profiles } = data;
  if (activeProfile !== undefined && typeof activeProfile !== 'string') {
    throw new ConfigFileError(file, '"activeProfile" must be a string', hint);
  }
  if (profiles !== undefined && !isPlainObject(profiles)) {
    throw new ConfigFileError(file, '"profiles" must be an object of profiles', hint);
  }
  for (const [name, values] of Object.entries(profiles ?? {})) {
    if (!isPlainObject(values)) throw new ConfigFileError(file, `profile ${JSON.stringify(name)} must be an object`, hint);
    for (const [key, value] of Object.entries(values)) {
      if (typeof value !== 'string') {
        throw new ConfigFileError(file, `profile ${JSON.stringify(name)}: the value of ${JSON.stringify(key)} must be a string`, hint);
      }
    }
  }
  return {
    ...(activeProfile === undefined ? {} : { activeProfile }),
    profiles: (profiles ?? {}) as Record<string, SettingValues>,
  };
}

function checkValues(file: string, config: ConfigFile, env: NodeJS.ProcessEnv): void {
  // A bare `kvadm config unset KEY` acts on this profile: any other needs --profile in the hint.
  const selected = selectProfileName(undefined, env, config).name;
  for (const [profile, values] of Object.entries(config.profiles)) {
    const flag = profile === selected ? '' : ` --profile ${profile}`;
    try {
      validateProfileName(profile);
    } catch (error) {
      throw new ConfigFileError(file, (error as Error).message, 'rename the profile in the file');
    }
    for (const [key, value] of Object.entries(values)) {
      if (!isSettingName(key)) {
        throw new ConfigFileError(
          file,
          `profile ${JSON.stringify(profile)}: unknown setting ${JSON.stringify(key)} (settings are: ${SETTING_NAMES.join(', ')})`,
          `remove it with: kvadm config unset${flag} ${shellQuote(key)}`,
        );
      }
      try {
        validateSettingValue(key, value as string);
      } catch (error) {
        throw new ConfigFileError(
          file,
          `profile ${JSON.stringify(profile)}: ${(error as Error).message}`,
          `fix it with: kvadm config set${flag} ${key} VALUE (or: kvadm config unset${flag} ${key})`,
        );
      }
    }
  }
  const active = config.activeProfile;
  if (active !== undefined && active !== DEFAULT_PROFILE && !(active in config.profiles)) {
    throw new ConfigFileError(
      file,
      `the active profile ${JSON.stringify(active)} is not defined in "profiles"`,
      `choose one with: kvadm config use PROFILE (profiles: ${profileNames(config).join(', ')})`,
    );
  }
}

export type ProfileSource = 'flag' | 'env' | 'file' | 'default';

/** Which profile a command uses: --profile > KVADM_PROFILE > the file's activeProfile > "default". */
export function selectProfileName(
  flagProfile: string | undefined,
  env: NodeJS.ProcessEnv,
  config: ConfigFile | undefined,
): { name: string; source: ProfileSource } {
  if (flagProfile) return { name: flagProfile, source: 'flag' };
  if (env.KVADM_PROFILE) return { name: env.KVADM_PROFILE, source: 'env' };
  if (config?.activeProfile) return { name: config.activeProfile, source: 'file' };
  return { name: DEFAULT_PROFILE, source: 'default' };
}

/** Names of the stored profiles; "default" is always there, stored or not. */
export function profileNames(config: ConfigFile | undefined): string[] {
  const names = new Set([DEFAULT_PROFILE, ...Object.keys(config?.profiles ?? {})]);
  return [...names].sort();
}

/** A profile chosen by --profile or KVADM_PROFILE must exist (except "default", which always does). */
export function unknownProfileError(name: string, source: 'flag' | 'env', config: ConfigFile | undefined): UsageError {
  const via = source === 'flag' ? '--profile' : 'KVADM_PROFILE';
  return new UsageError(
    `unknown profile ${JSON.stringify(name)} (from ${via}); profiles: ${profileNames(config).join(', ')}`,
    `create it with: kvadm config set --profile ${name} KEY VALUE`,
    { profile: name },
  );
}

const PROFILE_NAME_PATTERN = /^[A-Za-z0-9_-][A-Za-z0-9._-]{0,63}$/;

export function validateProfileName(name: string): string {
  if (!PROFILE_NAME_PATTERN.test(name)) {
    throw new UsageError(
      `invalid profile name ${JSON.stringify(name)}: names are 1 to 64 characters of A-Z a-z 0-9 . _ - and do not start with "."`,
      'choose a name like "prod" or "staging-eu"',
    );
  }
  return name;
}

export function isSettingName(name: string): name is SettingName {
  return (SETTING_NAMES as readonly string[]).includes(name);
}

export function validateSettingName(name: string): SettingName {
  if (!isSettingName(name)) {
    throw new UsageError(`unknown setting ${JSON.stringify(name)}`, `settings are: ${SETTING_NAMES.join(', ')}`, { setting: name });
  }
  return name as SettingName;
}

/**
 * Check one setting's value and return it in stored form (a data-dir becomes absolute).
 * Messages never repeat a token.
 */
export function validateSettingValue(name: SettingName, value: string): string {
  switch (name) {
    case 'backend':
      if (!(BACKEND_KINDS as readonly string[]).includes(value)) {
        throw new UsageError(`invalid backend ${JSON.stringify(value)}`, `use one of: ${BACKEND_KINDS.join(', ')}`);
      }
      return value;
    case 'url':
    case 'azion-api-url':
    case 'azion-bridge-url': {
      let url: URL;
      try {
        url = new URL(value);
      } catch {
        throw new UsageError(
          `invalid ${name} ${JSON.stringify(value)}: not a URL`,
          'give a full URL such as https://kv.example.com/client/v4',
        );
      }
      if (url.protocol !== 'http:' && url.protocol !== 'https:') {
        throw new UsageError(`invalid ${name} ${JSON.stringify(value)}: only http and https URLs are supported`, 'start it with https://');
      }
      return value;
    }
    case 'data-dir':
      if (value.trim() === '') throw new UsageError('invalid data-dir: it is empty', 'give the folder of the local store');
      return path.resolve(expandHome(value));
    case 'account':
      if (!/^[^\s/?#]{1,256}$/.test(value)) {
        throw new UsageError(`invalid account ${JSON.stringify(value)}: it must be 1 to 256 characters without spaces, "/", "?" or "#"`);
      }
      return value;
    case 'token':
    case 'azion-token':
    case 'azion-bridge-token':
      // biome-ignore lint/suspicious/noControlCharactersInRegex: a token travels in an HTTP header
      if (value === '' || /[\s\u0000-\u001f\u007f]/.test(value)) {
        throw new UsageError('invalid token: it is empty or contains spaces or control characters', 'give the token exactly');
      }
      return value;
    case 'namespace':
      return validateNamespaceName(value);
  }
}

/** `****cdef` for long secrets, `********` for short ones: enough to tell tokens apart, not to use one. */
export function maskSecret(value: string): string {
  return value.length >= 12 ? `****${value.slice(-4)}` : '********';
}

export function displayValue(name: SettingName, value: string | undefined, showSecrets: boolean): string | undefined {
  if (value === undefined || showSecrets || !SECRET_SETTINGS.includes(name)) return value;
  return maskSecret(value);
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function shellQuote(text: string): string {
  return /^[\w./~-]+$/.test(text) ? text : `'${text.replace(/'/g, `'\\''`)}'`;
}
