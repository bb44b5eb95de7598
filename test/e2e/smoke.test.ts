import { describe, expect, it } from 'vitest';
import { forEachBackend } from '../backends.js';
import { runCli } from '../helpers.js';

forEachBackend('kv put / get through the binary', (target) => {
  it('round-trips a value and exits 3 on a missing key', async () => {
    const put = await runCli(['kv', 'put', 'greeting', 'hello'], { env: target.env() });
    expect(put.code, put.stderr).toBe(0);
    const get = await runCli(['kv', 'get', 'greeting'], { env: target.env() });
    expect(get.stdout).toBe('hello');
    const missing = await runCli(['kv', 'get', 'nope'], { env: target.env() });
    expect(missing.code).toBe(3);
    expect(missing.stdout).toBe('');
    expect(missing.stderr).toContain('not found');
  });
});

describe('help', () => {
  it('lists the topics', async () => {
    const help = await runCli(['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('kv');
    expect(help.stdout).toContain('ns');
  });
});
