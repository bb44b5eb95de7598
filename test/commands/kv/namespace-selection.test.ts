/** Every `kvadm kv` command in process: which namespace it works in (-n, KVADM_NAMESPACE) and a missing one (exit 3). */
import { describe, expect, it } from 'vitest';
import { forEachCommandTarget } from '../../backends.js';
import { useNamespaces } from './namespaces.js';
import { runCommand } from '../../run-command.js';

forEachCommandTarget('kvadm kv namespaces', (target) => {
  const { freshNamespace } = useNamespaces(target);

  describe('namespaces and settings', () => {
    it('kv commands on a missing namespace exit 3 and create nothing', async () => {
      const cases = [['get', 'k'], ['put', 'k', 'v'], ['list'], ['delete', 'k'], ['sweep']];
      const results = await Promise.all(cases.map((args) => runCommand(['kv', ...args, '-n', 'no-such-ns'], { env: target.env() })));
      for (const [i, result] of results.entries()) {
        expect(result.code, cases[i]?.join(' ')).toBe(3);
        expect(result.stdout).toBe('');
        expect(result.stderr).toContain("'no-such-ns'");
      }
      const list = await runCommand(['ns', 'list'], { env: target.env() });
      expect(list.stdout.split('\n')).not.toContain('no-such-ns');
    });

    it('KVADM_NAMESPACE selects the namespace; -n wins over it', async () => {
      const { name } = await freshNamespace();
      const env = { ...target.env(), KVADM_NAMESPACE: name };
      expect((await runCommand(['kv', 'put', 'k', 'from-env'], { env })).code).toBe(0);
      expect((await runCommand(['kv', 'get', 'k', '-n', name], { env: target.env() })).stdout).toBe('from-env');
      expect((await runCommand(['kv', 'get', 'k', '--namespace', 'default'], { env })).code).toBe(3);
    });
  });
});
