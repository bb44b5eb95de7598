// `kvadm azion bridge` and `kvadm azion emulate`: the Function and its README written out (their
// place in the npm package is checked on the packed tarball in package-install.test.ts), and the
// whole `--backend azion` setup (namespace API + bridge) run against the emulator's real process,
// as a user would try it before deploying. The client commands run as bin/run.js runs them, in
// this process (runFastPath); the emulator refusing to start is its own process's exit.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, tempDir } from '../helpers.js';
import { runFastPath } from '../run-command.js';
import { type ServeProcess, startServe } from '../serve-process.js';

describe('kvadm azion bridge', () => {
  it('writes the Function and its deploy guide, and refuses to overwrite them without --force', async () => {
    const out = path.join(tempDir('bridge-out'), 'kvadm-bridge');
    const first = await runFastPath(['azion', 'bridge', '--out', out, '--json']);
    expect(first.code, first.stderr).toBe(0);
    expect(JSON.parse(first.stdout)).toEqual({ dir: out, files: [path.join(out, 'bridge.js'), path.join(out, 'README.md')] });
    const source = fs.readFileSync(path.join(out, 'bridge.js'), 'utf8');
    expect(source).toMatch(/^export default \{/m);
    expect(source).not.toMatch(/^import /m);
    const readme = fs.readFileSync(path.join(out, 'README.md'), 'utf8');
    expect(readme).toContain('azion create variables --key KVADM_BRIDGE_TOKEN');
    expect(readme).toContain('## The key index');

    const again = await runFastPath(['azion', 'bridge', '--out', out]);
    expect(again.code).toBe(2);
    expect(again.stderr).toContain('already exists');
    expect((await runFastPath(['azion', 'bridge', '--out', out, '--force'])).code).toBe(0);
  });
});

describe('kvadm azion emulate', () => {
  let emulator: ServeProcess;
  const token = `emulate-${process.pid}`;
  const azion = () => {
    const bridgeUrl = emulator.url;
    return {
      KVADM_BACKEND: 'azion',
      KVADM_AZION_API_URL: bridgeUrl.replace(/\/client\/v4$/, '/v4'),
      KVADM_AZION_TOKEN: token,
      KVADM_AZION_BRIDGE_URL: bridgeUrl,
      KVADM_AZION_BRIDGE_TOKEN: token,
      KVADM_HTTP_RETRIES: '1',
    };
  };
  const kvadm = (args: string[], input?: string) => runFastPath(args, { env: azion(), ...(input === undefined ? {} : { input }) });

  beforeAll(async () => {
    emulator = await startServe(['--quiet'], { command: ['azion', 'emulate'], env: { KVADM_TOKEN: token } });
  });
  afterAll(async () => {
    await emulator?.stop();
  });

  it('refuses to start without a bearer secret', async () => {
    const result = await runCli(['azion', 'emulate', '--port', '0', '--data-dir', tempDir('no-token')], { env: { KVADM_TOKEN: '' } });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('the bridge needs a bearer secret');
  });

  it('runs the whole --backend azion setup: namespaces over the API, keys through the bridge', async () => {
    expect((await kvadm(['ns', 'create', 'shop_items'])).code).toBe(0);
    expect((await kvadm(['ns', 'create', 'shop_items'])).code).toBe(4);
    expect((await kvadm(['ns', 'list'])).stdout.split('\n')).toContain('shop_items');
    const lines = `${Array.from({ length: 250 }, (_, i) => JSON.stringify({ key: `item:${i}`, value: `v${i}` })).join('\n')}\n`;
    const imported = await kvadm(['import', '-', '--format', 'jsonl', '-n', 'shop_items'], lines);
    expect(imported.code, imported.stderr).toBe(0);
    expect((await kvadm(['kv', 'get', '-n', 'shop_items', 'item:42'])).stdout).toBe('v42');
    const listed = await kvadm(['kv', 'list', '-n', 'shop_items', '--all']);
    expect(listed.stdout.trim().split('\n')).toHaveLength(250);
    const info = JSON.parse((await kvadm(['ns', 'info', 'shop_items', '--json'])).stdout) as { keyCount: number };
    expect(info.keyCount).toBe(250);

    const rename = await kvadm(['ns', 'rename', 'shop_items', 'shop_goods']);
    expect(rename.code).toBe(2);
    expect(rename.stderr).toContain('cannot rename');
    expect((await kvadm(['ns', 'delete', 'shop_items', '--force'])).code).toBe(0);
    expect((await kvadm(['kv', 'get', '-n', 'shop_items', 'item:42'])).code).toBe(3);
  });

  it('answers a plain client as the bridge does on Azion: bearer secret required, Azion names only', async () => {
    const anonymous = await fetch(`${emulator.url}/accounts/x/storage/kv/namespaces/default/keys`);
    expect(anonymous.status).toBe(401);
    const shortName = await fetch(`${emulator.url}/accounts/x/storage/kv/namespaces/ab/keys`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(shortName.status).toBe(400);
  });
});
