import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ConfigListResult } from '../../src/commands/config/list.js';
import { tempDir } from '../helpers.js';
import { runCommand } from '../run-command.js';

const TOKEN = 'tok_3f9a1c77e2b84d0d9cdef';

/** A fresh config folder and store for each test. */
function sandbox() {
  const configDir = tempDir('cfg');
  const env = { KVADM_CONFIG_DIR: configDir, KVADM_DATA_DIR: tempDir('data') };
  const file = path.join(configDir, 'config.json');
  const cli = (args: string[], extra: NodeJS.ProcessEnv = {}, input?: string) =>
    runCommand(args, { env: { ...env, ...extra }, ...(input === undefined ? {} : { input }) });
  return { env, file, cli };
}

function noStack(stderr: string): void {
  expect(stderr).not.toMatch(/\n\s+at /);
}

describe('kvadm config', () => {
  it('stores settings in a 0600 file and reads them back', async () => {
    const { cli, file } = sandbox();
    expect((await cli(['config', 'set', 'namespace', 'users'])).code).toBe(0);
    expect((await cli(['config', 'set', 'url', 'https://kv.example.com/client/v4'])).code).toBe(0);
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    const get = await cli(['config', 'get', 'namespace']);
    expect(get).toMatchObject({ code: 0, stdout: 'users\n' });
    const list = await cli(['config', 'list']);
    expect(list.stdout).toBe('url=https://kv.example.com/client/v4\nnamespace=users\n');
    const unset = await cli(['config', 'unset', 'namespace']);
    expect(unset.code).toBe(0);
    const missing = await cli(['config', 'get', 'namespace']);
    expect(missing.code).toBe(3);
    expect(missing.stderr).toContain("namespace is not set in profile 'default'");
  });

  it('masks the token everywhere unless --show-secrets', async () => {
    const { cli } = sandbox();
    const set = await cli(['config', 'set', 'token', '-'], {}, `${TOKEN}\n`);
    expect(set.code, set.stderr).toBe(0);
    expect(set.stderr).not.toContain(TOKEN);
    expect(set.stderr).toContain('****cdef');
    for (const args of [
      ['config', 'list'],
      ['config', 'list', '--json'],
      ['config', 'list', '--resolved'],
      ['config', 'list', '--resolved', '--json'],
      ['config', 'get', 'token'],
      ['config', 'get', 'token', '--resolved'],
    ]) {
      const result = await cli(args);
      expect(result.code, args.join(' ')).toBe(0);
      expect(result.stdout + result.stderr, args.join(' ')).not.toContain(TOKEN);
    }
    expect((await cli(['config', 'list'])).stdout).toContain('token=****cdef');
    expect((await cli(['config', 'get', 'token', '--show-secrets'])).stdout).toBe(`${TOKEN}\n`);
    const shown = JSON.parse((await cli(['config', 'list', '--show-secrets', '--json'])).stdout) as ConfigListResult;
    expect(shown.values?.token).toBe(TOKEN);
  });

  it('keeps the token out of error messages', async () => {
    const { cli } = sandbox();
    await cli(['config', 'set', 'token', TOKEN]);
    // A failing command run with the token in its settings.
    // No server answers: without retries it fails at once, with the same message.
    const failing = await cli(['kv', 'get', 'missing-key', '--backend', 'http'], { KVADM_HTTP_RETRIES: '0' });
    expect(failing.code).not.toBe(0);
    expect(failing.stderr).not.toContain(TOKEN);
    const badToken = await cli(['config', 'set', 'token', `${TOKEN} with spaces`]);
    expect(badToken.code).toBe(2);
    expect(badToken.stderr).not.toContain(TOKEN);
  });

  it('refuses unknown settings and invalid values with exit 2, writing nothing', async () => {
    const { cli, file } = sandbox();
    for (const [args, message] of [
      [['config', 'set', 'colour', 'red'], 'unknown setting "colour"'],
      [['config', 'set', 'backend', 'ftp'], 'invalid backend "ftp"'],
      [['config', 'set', 'url', 'example.com/kv'], 'invalid url'],
      [['config', 'set', 'namespace', '.hidden'], 'invalid namespace name'],
      [['config', 'get', 'colour'], 'unknown setting "colour"'],
    ] as const) {
      const result = await cli([...args]);
      expect(result.code, args.join(' ')).toBe(2);
      expect(result.stderr).toContain(message);
      noStack(result.stderr);
    }
    expect(fs.existsSync(file)).toBe(false);
  });

  it('never waits for a missing value without a terminal', async () => {
    const { cli } = sandbox();
    const result = await cli(['config', 'set', 'url']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('missing the value of url');
  });

  it('lists, switches and selects profiles', async () => {
    const { cli } = sandbox();
    await cli(['config', 'set', '--profile', 'prod', 'namespace', 'prod-ns']);
    await cli(['config', 'set', 'namespace', 'dev-ns']);
    expect((await cli(['config', 'profiles'])).stdout).toBe('* default\n  prod\n');
    const use = await cli(['config', 'use', 'prod']);
    expect(use.code).toBe(0);
    expect((await cli(['config', 'profiles'])).stdout).toBe('  default\n* prod\n');
    expect((await cli(['config', 'get', 'namespace'])).stdout).toBe('prod-ns\n');
    expect((await cli(['config', 'get', 'namespace'], { KVADM_PROFILE: 'default' })).stdout).toBe('dev-ns\n');
    expect((await cli(['config', 'get', 'namespace', '--profile', 'default'], { KVADM_PROFILE: 'prod' })).stdout).toBe('dev-ns\n');
    const unknownUse = await cli(['config', 'use', 'staging']);
    expect(unknownUse.code).toBe(2);
    expect(unknownUse.stderr).toContain('profiles: default, prod');
    const unknownFlag = await cli(['kv', 'list', '--profile', 'staging']);
    expect(unknownFlag.code).toBe(2);
    expect(unknownFlag.stderr).toContain('unknown profile "staging" (from --profile); profiles: default, prod');
  });

  it('applies flags > environment > profile > defaults to real commands', async () => {
    const { cli } = sandbox();
    for (const ns of ['from-profile', 'from-env', 'from-flag']) expect((await cli(['ns', 'create', ns])).code).toBe(0);
    await cli(['config', 'set', 'namespace', 'from-profile']);
    await cli(['kv', 'put', 'k', 'profile']);
    await cli(['kv', 'put', 'k', 'env'], { KVADM_NAMESPACE: 'from-env' });
    await cli(['kv', 'put', 'k', 'flag', '-n', 'from-flag'], { KVADM_NAMESPACE: 'from-env' });
    expect((await cli(['kv', 'get', 'k', '-n', 'from-profile'])).stdout).toBe('profile');
    expect((await cli(['kv', 'get', 'k', '-n', 'from-env'])).stdout).toBe('env');
    expect((await cli(['kv', 'get', 'k', '-n', 'from-flag'])).stdout).toBe('flag');

    const resolved = await cli(['config', 'list', '--resolved', '--json', '--account', 'acct-flag'], { KVADM_NAMESPACE: 'from-env' });
    const result = JSON.parse(resolved.stdout) as ConfigListResult;
    expect(result.resolved).toMatchObject({
      account: { value: 'acct-flag', source: 'flag', from: '--account' },
      namespace: { value: 'from-env', source: 'env', from: 'KVADM_NAMESPACE' },
      backend: { value: 'local', source: 'default' },
    });
    const fromProfile = JSON.parse((await cli(['config', 'list', '--resolved', '--json'])).stdout) as ConfigListResult;
    expect(fromProfile.resolved?.namespace).toMatchObject({ value: 'from-profile', source: 'profile', from: 'profile default' });
  });

  it('explains a corrupt config file without a stack trace, and does not overwrite it', async () => {
    const { cli, file } = sandbox();
    await cli(['config', 'set', 'namespace', 'users']);
    const truncated = fs.readFileSync(file, 'utf8').slice(0, 20);
    fs.writeFileSync(file, truncated);
    for (const args of [
      ['kv', 'list'],
      ['config', 'list', '--resolved'],
      ['config', 'set', 'backend', 'local'],
      ['config', 'profiles'],
    ]) {
      const result = await cli(args);
      expect(result.code, args.join(' ')).toBe(2);
      expect(result.stderr).toContain(`bad config file ${file}: it is not valid JSON`);
      expect(result.stderr).toContain('hint: fix it by hand, or delete it');
      noStack(result.stderr);
    }
    expect(fs.readFileSync(file, 'utf8')).toBe(truncated);
    const json = await cli(['kv', 'list', '--json']);
    expect(JSON.parse(json.stderr).error).toMatchObject({ code: 'CONFIG_INVALID', file });
  });

  it('lets config set repair a hand-edited invalid value', async () => {
    const { cli, file } = sandbox();
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, JSON.stringify({ profiles: { default: { backend: 'ftp' } } }));
    const broken = await cli(['kv', 'list']);
    expect(broken.code).toBe(2);
    expect(broken.stderr).toContain('invalid backend "ftp"');
    expect(broken.stderr).toContain('kvadm config set backend VALUE');
    expect((await cli(['config', 'set', 'backend', 'local'])).code).toBe(0);
    expect((await cli(['kv', 'list'])).code).toBe(0);
  });
});
