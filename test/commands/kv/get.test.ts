/** `kvadm kv get` in process: output types, metadata, the cache TTL, and a missing key (exit 3). */
import { describe, expect, it } from 'vitest';
import { forEachCommandTarget } from '../../backends.js';
import { useNamespaces } from './namespaces.js';

/** stderr as lines (without the final newline). */
const lines = (text: string) => text.replace(/\n$/, '').split('\n');

forEachCommandTarget('kvadm kv get', (target) => {
  const { freshNamespace } = useNamespaces(target);

  describe('get flags', () => {
    it('--with-metadata prints text values as text and binary values as base64', async () => {
      const { kv } = await freshNamespace();
      expect((await kv(['put', 'text', 'héllo', '--metadata', '{"owner":"ops","n":[1,2]}'])).code).toBe(0);
      const text = await kv(['get', 'text', '--with-metadata']);
      expect(text.code).toBe(0);
      expect(JSON.parse(text.stdout)).toEqual({ key: 'text', value: 'héllo', metadata: { owner: 'ops', n: [1, 2] }, expiration: null });

      const binary = Buffer.from([0xff, 0x00, 0xfe, 0x80, 0x41]);
      expect((await kv(['put', 'bin', '-'], binary)).code).toBe(0);
      const bin = await kv(['get', 'bin', '--with-metadata']);
      expect(JSON.parse(bin.stdout)).toEqual({
        key: 'bin',
        value: binary.toString('base64'),
        base64: true,
        metadata: null,
        expiration: null,
      });
      expect((await kv(['get', 'bin'])).stdoutBytes.equals(binary)).toBe(true);
    });

    it('--type text, json and binary', async () => {
      const { kv } = await freshNamespace();
      await kv(['put', 'doc', '{"a":[1,"é"]}']);
      expect((await kv(['get', 'doc', '--type', 'binary'])).stdout).toBe('{"a":[1,"é"]}');
      expect((await kv(['get', 'doc', '--type', 'text'])).stdout).toBe('{"a":[1,"é"]}');
      expect((await kv(['get', 'doc', '-t', 'json'])).stdout).toBe(`${JSON.stringify({ a: [1, 'é'] }, null, 2)}\n`);
      await kv(['put', 'notjson', 'plain']);
      const notJson = await kv(['get', 'notjson', '--type', 'json']);
      expect(notJson.code).toBe(2);
      expect(notJson.stdout).toBe('');
      expect((await kv(['get', 'doc', '--type', 'xml'])).code).toBe(2);
    });

    it('--cache-ttl: 59 refused (exit 2), 60 and 1m accepted', async () => {
      const { kv } = await freshNamespace();
      await kv(['put', 'c', 'v']);
      const refused = await kv(['get', 'c', '--cache-ttl', '59']);
      expect(refused.code).toBe(2);
      expect(refused.stdout).toBe('');
      expect(refused.stderr).toContain('60');
      expect((await kv(['get', 'c', '--cache-ttl', '60'])).stdout).toBe('v');
      expect((await kv(['get', 'c', '--cache-ttl', '1m'])).stdout).toBe('v');
    });
  });

  describe('missing keys', () => {
    it('a missing key prints nothing on stdout, one line on stderr, and exits 3', async () => {
      const { kv, name } = await freshNamespace();
      const missing = await kv(['get', 'nope']);
      expect(missing.code).toBe(3);
      expect(missing.stdout).toBe('');
      expect(lines(missing.stderr)).toHaveLength(1);
      expect(missing.stderr).toContain('"nope"');
      expect(missing.stderr).toContain(name);
      // A key with a newline still makes one line.
      const newline = await kv(['get', 'a\nb']);
      expect(newline.code).toBe(3);
      expect(lines(newline.stderr)).toHaveLength(1);
      const json = await kv(['get', 'nope', '--json']);
      expect(json.code).toBe(3);
      expect(json.stdout).toBe('');
      expect(JSON.parse(json.stderr)).toMatchObject({ error: { code: 'KEY_NOT_FOUND', key: 'nope', namespace: name } });
    });
  });
});
