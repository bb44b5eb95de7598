// The package as another project imports it: `import { KV } from 'kvadm'` resolves through
// package.json's "main" to the built library, and the client works on a local store.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { expect, it } from 'vitest';
import { childEnv, repoRoot, tempDir } from '../helpers.js';

it("import { KV } from 'kvadm' gives the client, its errors and limits, and a put reads back", () => {
  const project = tempDir('consumer');
  fs.mkdirSync(path.join(project, 'node_modules'));
  fs.symlinkSync(repoRoot, path.join(project, 'node_modules', 'kvadm'), 'dir');
  const script = `
    import { ExitCode, KV, KeyNotFoundError, LIMITS, LocalBackend } from 'kvadm';
    const backend = new LocalBackend({ dataDir: process.argv[1] });
    const kv = await KV.open('default', { backend });
    await kv.put('greeting', 'hello', { metadata: { by: 'test' } });
    const read = await kv.getWithMetadata('greeting', 'text');
    console.log(JSON.stringify({ read, max: LIMITS.valueMaxBytes, notFound: new KeyNotFoundError('k', 'default').exitCode === ExitCode.notFound }));
    await backend.close();
  `;
  const result = spawnSync(process.execPath, ['--input-type=module', '-e', script, tempDir('consumer-store')], {
    cwd: project,
    env: childEnv(),
    encoding: 'utf8',
  });
  expect(result.stderr).toBe('');
  expect(JSON.parse(result.stdout)).toEqual({
    read: { value: 'hello', metadata: { by: 'test' } },
    max: 26_214_400,
    notFound: true,
  });
});
