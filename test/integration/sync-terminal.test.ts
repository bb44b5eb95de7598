/** sync --delete at a terminal: the plan, then a question; "no" leaves DST as it was, "yes" deletes. */
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers.js';
import { runCommand } from '../run-command.js';
import { Terminal } from '../pty.js';

const open: Terminal[] = [];
afterEach(() => {
  for (const terminal of open.splice(0)) terminal.kill();
});

describe('sync --delete on a terminal', () => {
  it('asks before deleting: no changes nothing, yes applies the plan', async () => {
    const dir = tempDir('sync-tty');
    const env = { KVADM_DATA_DIR: path.join(dir, 'data'), KVADM_CONFIG_DIR: path.join(dir, 'config') };
    const cli = (args: string[]) => runCommand(args, { env });
    for (const ns of ['a', 'b']) expect((await cli(['ns', 'create', ns])).code).toBe(0);
    for (const [ns, key, value] of [
      ['a', 'k', 'new'],
      ['b', 'k', 'old'],
      ['b', 'extra', 'x'],
    ]) {
      expect((await cli(['kv', 'put', key as string, value as string, '-n', ns as string])).code).toBe(0);
    }
    const run = async (answer: string) => {
      const t = new Terminal(['sync', 'a', 'b', '--delete'], env);
      open.push(t);
      await t.expect("plan for 'b': 0 to add, 1 to change, 1 to delete, 0 same");
      await t.answer("Delete 1 keys from 'b' and write 1?", answer);
      return { code: await t.exit(), screen: t.text() };
    };

    const declined = await run('n');
    expect(declined.code).toBe(0);
    expect(declined.screen).toContain('nothing changed (not confirmed)');
    expect((await cli(['kv', 'get', 'k', '-n', 'b'])).stdout).toBe('old');
    expect((await cli(['kv', 'get', 'extra', '-n', 'b'])).code).toBe(0);

    const accepted = await run('y');
    expect(accepted.code).toBe(0);
    expect(accepted.screen).toContain("synced 'a' to 'b': 1 written, 1 deleted");
    expect((await cli(['diff', 'a', 'b'])).code).toBe(0);
  });
});
