/** `kvadm kv delete KEY...` in process: deleted and missing keys, exit codes. */
import { describe, expect, it } from 'vitest';
import { forEachCommandTarget } from '../../backends.js';
import { useNamespaces } from './namespaces.js';

forEachCommandTarget('kvadm kv delete', (target) => {
  const { freshNamespace, keysOf, kvOf } = useNamespaces(target);

  describe('kv delete KEY...', () => {
    it('kv delete KEY... deletes and reports the keys that did not exist', async () => {
      const { kv, name } = await freshNamespace();
      for (const key of ['a', 'b', 'c']) await kvOf(name).put(key, 'v');
      const deleted = await kv(['delete', 'a', 'c', 'zz', '--json']);
      expect(deleted.code, deleted.stderr).toBe(0);
      expect(JSON.parse(deleted.stdout)).toEqual({ namespace: name, deleted: 2, missing: ['zz'], missingCount: 1, confirmed: true });
      expect(await keysOf(name)).toEqual(['b']);
      const human = await kv(['delete', 'b']);
      expect(human.code).toBe(0);
      expect(human.stdout).toBe('');
      expect(human.stderr).toContain('deleted 1 of 1');
      expect((await kv(['get', 'b'])).code).toBe(3);
      expect((await kv(['delete'])).code).toBe(2);
    });
  });
});
