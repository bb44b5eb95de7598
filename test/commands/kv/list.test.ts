/** `kvadm kv list` in process: pages, cursors, prefixes, --all, --json and refused flag values. */
import { describe, expect, it } from 'vitest';
import { forEachCommandTarget } from '../../backends.js';
import { useNamespaces } from './namespaces.js';

forEachCommandTarget('kvadm kv list', (target) => {
  const { freshNamespace, kvOf } = useNamespaces(target);

  describe('kv list', () => {
    it('pages with --limit and --cursor (cursor on stderr), --prefix, --all and --json', async () => {
      const { kv, name } = await freshNamespace();
      const keys = ['a1', 'a2', 'a3', 'b1', '😀1', '😀2', '😀3'];
      for (const key of keys) await kvOf(name).put(key, 'v');

      const first = await kv(['list', '--limit', '2']);
      expect(first.code).toBe(0);
      expect(first.stdout).toBe('a1\na2\n');
      const cursor = /--cursor (\S+)/.exec(first.stderr)?.[1];
      expect(cursor).toBeDefined();
      const second = await kv(['list', '--limit', '2', '--cursor', cursor as string]);
      expect(second.stdout).toBe('a3\nb1\n');

      const jsonPage = await kv(['list', '--prefix', '😀', '--limit', '2', '--json']);
      const parsed = JSON.parse(jsonPage.stdout) as { keys: Array<{ name: string }>; list_complete: boolean; cursor: string };
      expect(parsed.keys.map((k) => k.name)).toEqual(['😀1', '😀2']);
      expect(parsed.list_complete).toBe(false);
      const rest = await kv(['list', '-p', '😀', '-c', parsed.cursor, '--json']);
      expect(JSON.parse(rest.stdout)).toEqual({ keys: [{ name: '😀3' }], list_complete: true });

      expect((await kv(['list', '--prefix', 'a'])).stdout).toBe('a1\na2\na3\n');
      expect((await kv(['list', '--all'])).stdout).toBe(`${keys.join('\n')}\n`);
      const complete = await kv(['list']);
      expect(complete.stderr).not.toContain('--cursor');
    });

    it('--limit 0, --limit 1001, --all with --limit and a foreign cursor: exit 2', async () => {
      const { kv } = await freshNamespace();
      const cases = [
        ['list', '--limit', '0'],
        ['list', '--limit', '1001'],
        ['list', '--all', '--limit', '5'],
        ['list', '--cursor', 'not a cursor!'],
        ['list', '--limit', 'many'],
      ];
      const results = await Promise.all(cases.map((args) => kv(args)));
      for (const [i, result] of results.entries()) {
        expect(result.code, cases[i]?.join(' ')).toBe(2);
        expect(result.stdout).toBe('');
      }
    });
  });
});
