/** Usage errors of any command, in process: exit 2, nothing on stdout, one kvadm error line, no stack. */
import { describe, expect, it } from 'vitest';
import { runCommand } from '../run-command.js';

describe('usage errors (exit 2)', () => {
  it('unknown flag, missing argument, bad option value', async () => {
    const cases = [
      ['kv', 'get', 'k', '--bogus'],
      ['kv', 'get'],
      ['kv', 'put'],
      ['kv', 'get', 'k', '--type', 'xml'],
      ['ns', 'create'],
    ];
    const results = await Promise.all(cases.map((args) => runCommand(args)));
    for (const [i, result] of results.entries()) {
      expect(result.code, cases[i]?.join(' ')).toBe(2);
      expect(result.stdout).toBe('');
      expect(result.stderr).toContain('kvadm: error:');
      expect(result.stderr).not.toMatch(/\n\s+at /);
    }
  });
});
