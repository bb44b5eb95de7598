// bin/run.js answers plain `kv get` calls without loading oclif. These tests hold the
// fast path to the oclif command: same flags, same bytes, same messages, same exit codes.
import { beforeAll, describe, expect, it } from 'vitest';
import { runCli, tempDir } from '../helpers.js';

describe('kv get fast path', () => {
  const dataDir = tempDir('fast');
  const env = { KVADM_DATA_DIR: dataDir };
  const binary = Buffer.from([0, 1, 2, 0xff, 0xfe, 10, 13, 0x80]);

  beforeAll(async () => {
    expect((await runCli(['kv', 'put', 'greeting', 'héllo wörld'], { env })).code).toBe(0);
    expect((await runCli(['kv', 'put', 'doc', '{"a":[1,2]}', '--metadata', '{"m":1}', '--ttl', '1h'], { env })).code).toBe(0);
    expect((await runCli(['kv', 'put', 'bin', '-'], { env, input: binary })).code).toBe(0);
    expect((await runCli(['ns', 'create', 'other'], { env })).code).toBe(0);
    expect((await runCli(['kv', 'put', '-n', 'other', 'k', 'v'], { env })).code).toBe(0);
  });

  const cases: string[][] = [
    ['greeting'],
    ['bin'],
    ['doc', '--type', 'json'],
    ['doc', '-t', 'text'],
    ['doc', '--with-metadata'],
    ['bin', '--with-metadata'],
    ['-n', 'other', 'k'],
    ['--namespace=other', 'k'],
    ['missing'],
    ['greeting', '-n', 'nope'],
    ['greeting', '--cache-ttl', '59'],
    ['greeting', '--cache-ttl', '60'],
    ['greeting', '--type', 'json'],
    ['greeting', '--type', 'bogus'],
    ['greeting', '--bogus'],
    ['greeting', 'extra'],
    [''],
    ['greeting', '--json'],
    ['greeting', '-n', 'bad/name'],
  ];
  for (const args of cases) {
    it(`kv get ${JSON.stringify(args)} behaves the same with and without the fast path`, async () => {
      const fast = await runCli(['kv', 'get', ...args], { env });
      const slow = await runCli(['kv', 'get', ...args], { env: { ...env, KVADM_NO_FAST_PATH: '1' } });
      expect(fast.code).toBe(slow.code);
      expect(fast.stdoutBytes.equals(slow.stdoutBytes)).toBe(true);
      expect(fast.stderr).toBe(slow.stderr);
    });
  }

  it('writes binary values byte for byte', async () => {
    const result = await runCli(['kv', 'get', 'bin'], { env });
    expect(result.stdoutBytes.equals(binary)).toBe(true);
  });
});
