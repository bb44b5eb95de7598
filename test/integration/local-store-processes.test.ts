/**
 * Several Node processes writing one local namespace through the built library at once:
 * every write lands, the hot key ends with one writer's value, the file stays sound.
 * (The same through the kvadm binary is in concurrency.test.ts.)
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { LocalBackend } from '../../src/lib/backends/local.js';
import { KV } from '../../src/lib/kv.js';
import { repoRoot, tempDir } from '../helpers.js';

const open: LocalBackend[] = [];
function backendAt(dataDir: string): LocalBackend {
  const backend = new LocalBackend({ dataDir });
  open.push(backend);
  return backend;
}
afterEach(async () => {
  for (const backend of open.splice(0)) await backend.close();
});
const fileOf = (dataDir: string, namespace: string) => path.join(dataDir, 'namespaces', `${namespace}.sqlite`);

describe('several processes writing one namespace', () => {
  const writerScript = `
    import { KV } from './dist/lib/kv.js';
    import { LocalBackend } from './dist/lib/backends/local.js';
    const [dataDir, id, count] = process.argv.slice(1);
    const backend = new LocalBackend({ dataDir });
    const kv = await KV.open('shared', { backend });
    for (let i = 0; i < Number(count); i++) {
      await kv.put('w' + id + '-' + i, 'value ' + id + ' ' + i, { metadata: { id: Number(id) } });
      // Every writer also rewrites one hot key, to collide on the same rows.
      await kv.put('hot', id);
    }
    await backend.close();
  `;

  beforeAll(() => {
    if (!fs.existsSync(path.join(repoRoot, 'dist', 'lib', 'kv.js'))) throw new Error('build first: npm run build');
  });

  it('eight processes × 50 puts at the same time: all succeed, nothing is lost', async () => {
    const dir = tempDir('multi');
    const setup = backendAt(dir);
    await KV.create('shared', { backend: setup });
    await setup.close();

    const runs = Array.from(
      { length: 8 },
      (_, id) =>
        new Promise<{ code: number | null; stderr: string }>((resolve) => {
          const child = spawn(process.execPath, ['--input-type=module', '-e', writerScript, dir, String(id), '50'], {
            cwd: repoRoot,
            stdio: ['ignore', 'ignore', 'pipe'],
          });
          let stderr = '';
          child.stderr.on('data', (chunk) => (stderr += chunk));
          child.on('close', (code) => resolve({ code, stderr }));
        }),
    );
    const results = await Promise.all(runs);
    for (const result of results) expect(result, result.stderr).toEqual({ code: 0, stderr: '' });

    const backend = backendAt(dir);
    const kv = await KV.open('shared', { backend });
    const names: string[] = [];
    for await (const page of kv.listAll()) names.push(...page.map((k) => k.name));
    expect(names).toHaveLength(8 * 50 + 1);
    for (let id = 0; id < 8; id++) {
      for (let i = 0; i < 50; i++) expect(await kv.get(`w${id}-${i}`)).toBe(`value ${id} ${i}`);
    }
    expect(['0', '1', '2', '3', '4', '5', '6', '7']).toContain(await kv.get('hot'));
    const db = new Database(fileOf(dir, 'shared'), { readonly: true });
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    db.close();
  });
});
