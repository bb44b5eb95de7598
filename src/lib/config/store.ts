/**
 * Changing the config file: conf's atomic writes, mode 0600, and the same checks the
 * loader applies. conf is imported on demand so that only `kvadm config` commands pay
 * for it. A file that is not valid JSON is never overwritten: the user's hand edits
 * stay until they fix or delete the file.
 */
import fs from 'node:fs';
import path from 'node:path';
import {
  type ConfigFile,
  DEFAULT_PROFILE,
  configFilePath,
  profileNames,
  readConfigFile,
  selectProfileName,
  validateProfileName,
  validateSettingName,
  validateSettingValue,
} from './file.js';
import { UsageError } from '../errors.js';
import type { SettingName, SettingValues } from './settings.js';

/** Owner read/write only: the file may hold tokens. */
export const CONFIG_FILE_MODE = 0o600;
const CONFIG_DIR_MODE = 0o700;

export interface ProfileSummary {
  name: string;
  active: boolean;
  values: SettingValues;
}

export class ConfigStore {
  readonly file: string;
  private readonly env: NodeJS.ProcessEnv;

  constructor(env: NodeJS.ProcessEnv = process.env) {
    this.env = env;
    this.file = configFilePath(env);
  }

  /** The file's content (empty when there is none); values are not checked so bad ones can be repaired. */
  read(): ConfigFile {
    return readConfigFile(this.file, { strict: false }) ?? { profiles: {} };
  }

  exists(): boolean {
    return fs.existsSync(this.file);
  }

  /** The profile `config` commands act on: --profile > KVADM_PROFILE > activeProfile > "default". */
  selectedProfile(flagProfile: string | undefined): string {
    return validateProfileName(selectProfileName(flagProfile, this.env, this.read()).name);
  }

  activeProfile(): string {
    return this.read().activeProfile ?? DEFAULT_PROFILE;
  }

  profiles(): ProfileSummary[] {
    const config = this.read();
    const active = config.activeProfile ?? DEFAULT_PROFILE;
    return profileNames(config).map((name) => ({ name, active: name === active, values: { ...config.profiles[name] } }));
  }

  /** Check and store one setting; creates the profile (and the file) when needed. Returns the stored value. */
  async set(profile: string, key: string, value: string): Promise<{ key: SettingName; value: string }> {
    validateProfileName(profile);
    const name = validateSettingName(key);
    const stored = validateSettingValue(name, value);
    const config = this.read();
    config.profiles[profile] = { ...config.profiles[profile], [name]: stored };
    await this.write(config);
    return { key: name, value: stored };
  }

  /**
   * Remove one setting; resolves to whether it was set. A name kvadm does not know is
   * removed too when the profile holds it (a hand edit, or a setting of another version):
   * that is how the loader's "unknown setting" hint repairs the file.
   */
  async unset(profile: string, key: string): Promise<boolean> {
    const config = this.read();
    const values = config.profiles[profile] as Record<string, string> | undefined;
    const stored = values !== undefined && Object.hasOwn(values, key);
    if (!stored) validateSettingName(key);
    if (!stored) return false;
    delete values[key];
    await this.write(config);
    return true;
  }

  /** Make `profile` the active one; it must exist ("default" always does). */
  async use(profile: string): Promise<void> {
    validateProfileName(profile);
    const config = this.read();
    if (profile !== DEFAULT_PROFILE && !(profile in config.profiles)) {
      throw new UsageError(
        `unknown profile ${JSON.stringify(profile)}; profiles: ${profileNames(config).join(', ')}`,
        `create it first with: kvadm config set --profile ${profile} KEY VALUE`,
        { profile },
      );
    }
    config.activeProfile = profile;
    await this.write(config);
  }

  private async write(config: ConfigFile): Promise<void> {
    const { default: Conf } = await import('conf');
    const cwd = path.dirname(this.file);
    fs.mkdirSync(cwd, { recursive: true, mode: CONFIG_DIR_MODE });
    dropByteOrderMark(this.file);
    const store = new Conf<Record<string, unknown>>({
      cwd,
      configName: path.basename(this.file, '.json'),
      configFileMode: CONFIG_FILE_MODE,
      accessPropertiesByDotNotation: false,
      clearInvalidConfig: false,
    });
    const next: Record<string, unknown> = {
      ...(config.activeProfile ? { activeProfile: config.activeProfile } : {}),
      profiles: config.profiles,
    };
    store.store = next;
    // The mode applies when conf creates the file; an older file keeps its own, so set it.
    fs.chmodSync(this.file, CONFIG_FILE_MODE);
  }
}

/**
 * conf parses the file before replacing it and fails on a UTF-8 byte-order mark, which the
 * loader accepts (some editors add one): drop the mark, keeping the text as it was.
 */
function dropByteOrderMark(file: string): void {
  let bytes: Buffer;
  try {
    bytes = fs.readFileSync(file);
  } catch {
    return;
  }
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) fs.writeFileSync(file, bytes.subarray(3));
}
