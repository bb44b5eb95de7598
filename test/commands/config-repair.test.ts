// A bad config file stops every command with a hint; the hint's command must work. Each test
// runs the command the hint gives, exactly as printed, and checks that it repairs the file.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../helpers.js';
import { runCommand } from '../run-command.js';

function sandbox(content: string | Buffer) {
  const configDir = tempDir('cfg-repair');
  const env = { KVADM_CONFIG_DIR: configDir, KVADM_DATA_DIR: tempDir('data') };
  const file = path.join(configDir, 'config.json');
  fs.writeFileSync(file, content, { mode: 0o600 });
  const cli = (args: string[], extra: NodeJS.ProcessEnv = {}) => runCommand(args, { env: { ...env, ...extra } });
  return { file, cli };
}

/**
 * The runnable command of a hint line: the `kvadm config …` command in it that has no
 * placeholder (VALUE, KEY, PROFILE), as arguments.
 */
function hintedCommand(stderr: string): string[] {
  const hint = stderr.split('\n').find((line) => line.trimStart().startsWith('hint:')) ?? '';
  const commands = [...hint.matchAll(/kvadm (config [^()]+?)(?=\)|$| \()/g)].map((m) => (m[1] as string).trim());
  const runnable = commands.find((command) => !/\b[A-Z]{3,}\b/.test(command));
  if (!runnable) throw new Error(`no runnable command in: ${hint}`);
  return runnable.split(' ');
}

describe('config repair hints', () => {
  it('an unknown setting: the hint is `config unset NAME`, which removes it', async () => {
    const { cli, file } = sandbox('{"profiles": {"default": {"namespace": "users", "colour": "red"}}}');
    const broken = await cli(['kv', 'list']);
    expect(broken.code).toBe(2);
    expect(broken.stderr).toContain('unknown setting "colour"');
    expect(broken.stderr).toContain('hint: remove it with: kvadm config unset colour\n');
    const repair = await cli(hintedCommand(broken.stderr));
    expect(repair.code, repair.stderr).toBe(0);
    expect(repair.stderr).toContain("removed colour from profile 'default'");
    expect(JSON.parse(fs.readFileSync(file, 'utf8'))).toEqual({ profiles: { default: { namespace: 'users' } } });
    expect((await cli(['ns', 'list'])).code).toBe(0);
    // A name that is neither a setting nor stored is still refused.
    const unknown = await cli(['config', 'unset', 'colour']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('unknown setting "colour"');
  });

  it('a bad value in a profile other than the one `config` acts on: the hint names it with --profile', async () => {
    const { cli } = sandbox('{"activeProfile": "prod", "profiles": {"prod": {"backend": "local"}, "default": {"backend": "ftp"}}}');
    const broken = await cli(['kv', 'list']);
    expect(broken.code).toBe(2);
    expect(broken.stderr).toContain(
      'hint: fix it with: kvadm config set --profile default backend VALUE (or: kvadm config unset --profile default backend)',
    );
    const repair = await cli(hintedCommand(broken.stderr));
    expect(repair.code, repair.stderr).toBe(0);
    expect((await cli(['ns', 'list'])).code).toBe(0);
  });

  it('an unknown setting in the profile given by --profile or KVADM_PROFILE: the hint keeps the selection', async () => {
    const { cli } = sandbox('{"profiles": {"default": {}, "prod": {"colour": "red"}}}');
    const viaFlag = await cli(['ns', 'list', '--profile', 'prod']);
    expect(viaFlag.code).toBe(2);
    expect(viaFlag.stderr).toContain('hint: remove it with: kvadm config unset --profile prod colour');
    // With KVADM_PROFILE=prod a bare `config unset` acts on prod: the hint needs no flag, and works.
    const viaEnv = await cli(['ns', 'list'], { KVADM_PROFILE: 'prod' });
    expect(viaEnv.stderr).toContain('hint: remove it with: kvadm config unset colour');
    const repair = await cli(hintedCommand(viaEnv.stderr), { KVADM_PROFILE: 'prod' });
    expect(repair.code, repair.stderr).toBe(0);
    expect((await cli(['ns', 'list', '--profile', 'prod'])).code).toBe(0);
  });

  it('an active profile that is not defined: `config use` (which the hint names) repairs it', async () => {
    const { cli } = sandbox('{"activeProfile": "gone", "profiles": {"prod": {}}}');
    const broken = await cli(['ns', 'list']);
    expect(broken.code).toBe(2);
    expect(broken.stderr).toContain('hint: choose one with: kvadm config use PROFILE (profiles: default, prod)');
    expect((await cli(['config', 'use', 'prod'])).code).toBe(0);
    expect((await cli(['ns', 'list'])).code).toBe(0);
  });

  it('a file saved with a UTF-8 byte-order mark is read, and `config set` rewrites it', async () => {
    const bom = Buffer.from([0xef, 0xbb, 0xbf]);
    const { cli, file } = sandbox(Buffer.concat([bom, Buffer.from('{"profiles": {"default": {"namespace": "users"}}}')]));
    const get = await cli(['config', 'get', 'namespace']);
    expect(get).toMatchObject({ code: 0, stdout: 'users\n' });
    const resolved = await cli(['config', 'get', 'namespace', '--resolved', '--json']);
    expect(JSON.parse(resolved.stdout)).toMatchObject({ value: 'users', source: 'profile' });
    const set = await cli(['config', 'set', 'account', 'acme']);
    expect(set.code, set.stderr).toBe(0);
    expect(JSON.parse(fs.readFileSync(file, 'utf8'))).toEqual({ profiles: { default: { namespace: 'users', account: 'acme' } } });
  });

  it('`config get` of an unset value hints at `config set` with the same --profile', async () => {
    const { cli } = sandbox('{"profiles": {"prod": {"backend": "local"}}}');
    const missing = await cli(['config', 'get', 'url', '--profile', 'prod']);
    expect(missing.code).toBe(3);
    expect(missing.stderr).toContain('hint: set it with: kvadm config set --profile prod url VALUE');
  });
});
