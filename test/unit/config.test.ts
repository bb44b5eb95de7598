import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  ConfigFileError,
  ConfigStore,
  loadProfileValues,
  maskSecret,
  readConfigFile,
  resolveSettings,
  selectProfileName,
  validateSettingName,
  validateSettingValue,
} from '../../src/lib/config/index.js';
import { KvadmError } from '../../src/lib/errors.js';
import { tempDir } from '../helpers.js';

function configEnv(content?: string): { env: NodeJS.ProcessEnv; file: string } {
  const dir = tempDir('config');
  const file = path.join(dir, 'config.json');
  if (content !== undefined) fs.writeFileSync(file, content);
  return { env: { KVADM_CONFIG_DIR: dir }, file };
}

function caught(fn: () => unknown): KvadmError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(KvadmError);
    return error as KvadmError;
  }
  throw new Error('expected an error');
}

const twoProfiles = JSON.stringify({
  activeProfile: 'staging',
  profiles: {
    default: { namespace: 'from-default' },
    staging: { namespace: 'from-staging', backend: 'local' },
    prod: { namespace: 'from-prod', backend: 'http', url: 'https://kv.example.com/client/v4', token: 'secret-token-1234' },
  },
});

describe('config file reading', () => {
  it('reads as nothing when there is no file', () => {
    const { file } = configEnv();
    expect(readConfigFile(file)).toBeUndefined();
  });

  it.each([
    ['truncated JSON', '{"profiles": {"default": {"backend": "lo', /not valid JSON/],
    ['an empty file', '', /it is empty/],
    ['an array', '[1, 2]', /top level must be a JSON object/],
    ['a profile that is not an object', '{"profiles": {"default": 3}}', /profile "default" must be an object/],
    ['a value that is not a string', '{"profiles": {"default": {"backend": 1}}}', /must be a string/],
  ])('refuses %s naming the file and how to fix it', (_label, content, problem) => {
    const { file } = configEnv(content);
    const error = caught(() => readConfigFile(file));
    expect(error).toBeInstanceOf(ConfigFileError);
    expect(error.exitCode).toBe(2);
    expect(error.message).toContain(file);
    expect(error.message).toMatch(problem);
    expect(error.hint).toMatch(/fix it by hand, or delete it/);
  });

  it('refuses hand-edited unknown keys and invalid values, pointing at the command that repairs them', () => {
    const unknown = configEnv('{"profiles": {"prod": {"colour": "red"}}}');
    const error = caught(() => readConfigFile(unknown.file));
    expect(error.message).toContain('unknown setting "colour"');
    expect(error.hint).toContain('kvadm config unset --profile prod colour');
    const badBackend = configEnv('{"profiles": {"default": {"backend": "ftp"}}}');
    expect(caught(() => readConfigFile(badBackend.file)).message).toContain('invalid backend "ftp"');
    // Lenient reading (config set/unset) lets the user repair values in place.
    expect(readConfigFile(badBackend.file, { strict: false })?.profiles.default?.backend).toBe('ftp');
  });

  it('refuses an active profile that is not defined', () => {
    const { file } = configEnv('{"activeProfile": "gone", "profiles": {}}');
    expect(caught(() => readConfigFile(file)).message).toContain('the active profile "gone" is not defined');
  });
});

describe('setting validation', () => {
  it('knows the six settings', () => {
    expect(validateSettingName('url')).toBe('url');
    expect(caught(() => validateSettingName('colour')).exitCode).toBe(2);
  });

  it('checks values', () => {
    expect(validateSettingValue('backend', 'http')).toBe('http');
    expect(caught(() => validateSettingValue('backend', 'ftp')).message).toContain('invalid backend');
    expect(validateSettingValue('url', 'https://kv.example.com/client/v4')).toBe('https://kv.example.com/client/v4');
    expect(caught(() => validateSettingValue('url', 'kv.example.com')).message).toContain('not a URL');
    expect(caught(() => validateSettingValue('url', 'ftp://kv.example.com')).message).toContain('only http and https');
    expect(caught(() => validateSettingValue('namespace', '.hidden')).exitCode).toBe(2);
    expect(caught(() => validateSettingValue('data-dir', ' ')).message).toContain('empty');
    expect(validateSettingValue('data-dir', 'relative/store')).toBe(path.resolve('relative/store'));
  });

  it('never repeats a token in an error', () => {
    const error = caught(() => validateSettingValue('token', 'top secret'));
    expect(error.message).not.toContain('top secret');
    expect(error.hint ?? '').not.toContain('top secret');
  });

  it('masks secrets, showing at most the last four characters of long ones', () => {
    expect(maskSecret('abcdefghijklmnop')).toBe('****mnop');
    expect(maskSecret('short')).toBe('********');
  });
});

describe('profile selection and precedence', () => {
  it('chooses --profile, then KVADM_PROFILE, then the active profile, then "default"', () => {
    const config = { activeProfile: 'staging', profiles: {} };
    expect(selectProfileName('prod', { KVADM_PROFILE: 'x' }, config)).toEqual({ name: 'prod', source: 'flag' });
    expect(selectProfileName(undefined, { KVADM_PROFILE: 'x' }, config)).toEqual({ name: 'x', source: 'env' });
    expect(selectProfileName(undefined, {}, config)).toEqual({ name: 'staging', source: 'file' });
    expect(selectProfileName(undefined, {}, undefined)).toEqual({ name: 'default', source: 'default' });
  });

  it('loads the selected profile values', () => {
    const { env } = configEnv(twoProfiles);
    expect(loadProfileValues(undefined, env).values.namespace).toBe('from-staging');
    expect(loadProfileValues(undefined, { ...env, KVADM_PROFILE: 'default' }).values.namespace).toBe('from-default');
    expect(loadProfileValues('prod', { ...env, KVADM_PROFILE: 'default' }).values.namespace).toBe('from-prod');
  });

  it('refuses an unknown profile named by --profile or KVADM_PROFILE, listing the profiles', () => {
    const { env } = configEnv(twoProfiles);
    const error = caught(() => loadProfileValues('nope', env));
    expect(error.exitCode).toBe(2);
    expect(error.message).toContain('unknown profile "nope" (from --profile); profiles: default, prod, staging');
    expect(caught(() => loadProfileValues(undefined, { ...env, KVADM_PROFILE: 'nope' })).message).toContain('KVADM_PROFILE');
  });

  it('works without a config file', () => {
    const { env } = configEnv();
    expect(loadProfileValues(undefined, env)).toMatchObject({ name: 'default', values: {} });
    expect(loadProfileValues('default', env).values).toEqual({});
  });

  it('resolves flags > environment > profile > defaults, with sources', () => {
    const profileValues = { namespace: 'p-ns', account: 'p-acct', url: 'https://p.example.com' };
    const resolved = resolveSettings({
      flags: { namespace: 'flag-ns' },
      env: { KVADM_NAMESPACE: 'env-ns', KVADM_ACCOUNT: 'env-acct' },
      profileValues,
      profileName: 'p',
    });
    expect(resolved.settings).toMatchObject({ namespace: 'flag-ns', account: 'env-acct', url: 'https://p.example.com', backend: 'local' });
    expect(resolved.sources).toMatchObject({ namespace: 'flag', account: 'env', url: 'profile', backend: 'default' });
  });
});

describe('config store (conf)', () => {
  it('writes the file with mode 0600, creating profiles as needed', async () => {
    const { env, file } = configEnv();
    const store = new ConfigStore(env);
    await store.set('default', 'backend', 'http');
    await store.set('prod', 'token', 'abcdefghijklmnop');
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    expect(JSON.parse(fs.readFileSync(file, 'utf8'))).toEqual({
      profiles: { default: { backend: 'http' }, prod: { token: 'abcdefghijklmnop' } },
    });
    await store.use('prod');
    expect(store.activeProfile()).toBe('prod');
    expect(await store.unset('prod', 'token')).toBe(true);
    expect(await store.unset('prod', 'token')).toBe(false);
    await expect(store.use('missing')).rejects.toThrow(/unknown profile "missing"; profiles: default, prod/);
  });

  it('tightens an existing file to 0600 on write', async () => {
    const { env, file } = configEnv('{"profiles": {}}');
    fs.chmodSync(file, 0o644);
    await new ConfigStore(env).set('default', 'namespace', 'users');
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
  });

  it('never overwrites a file that is not valid JSON', async () => {
    const broken = '{"profiles": {"default": {"token": "keep-me"';
    const { env, file } = configEnv(broken);
    await expect(new ConfigStore(env).set('default', 'backend', 'local')).rejects.toBeInstanceOf(ConfigFileError);
    expect(fs.readFileSync(file, 'utf8')).toBe(broken);
  });

  it('repairs an invalid value with set', async () => {
    const { env, file } = configEnv('{"profiles": {"default": {"backend": "ftp"}}}');
    await new ConfigStore(env).set('default', 'backend', 'local');
    expect(readConfigFile(file)?.profiles.default).toEqual({ backend: 'local' });
  });

  it('refuses invalid values before writing anything', async () => {
    const { env, file } = configEnv();
    const store = new ConfigStore(env);
    await expect(store.set('default', 'url', 'not a url')).rejects.toThrow(/invalid url/);
    await expect(store.set('default', 'colour', 'red')).rejects.toThrow(/unknown setting/);
    await expect(store.set('bad name', 'backend', 'local')).rejects.toThrow(/invalid profile name/);
    expect(fs.existsSync(file)).toBe(false);
  });
});
