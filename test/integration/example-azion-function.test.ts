// examples/azion-function as a user's project runs it: copied to a folder of its own, with
// `kvadm` (this package) and vitest in its node_modules, `npm test` = `vitest run` there.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { expect, it } from 'vitest';
import { childEnv, repoRoot, tempDir } from '../helpers.js';

it('the example Azion Function passes its own tests, importing kvadm and kvadm/azion by name', () => {
  const project = tempDir('example-function');
  fs.cpSync(path.join(repoRoot, 'examples', 'azion-function'), project, { recursive: true });
  fs.mkdirSync(path.join(project, 'node_modules'));
  fs.symlinkSync(repoRoot, path.join(project, 'node_modules', 'kvadm'), 'dir');
  fs.symlinkSync(path.join(repoRoot, 'node_modules', 'vitest'), path.join(project, 'node_modules', 'vitest'), 'dir');
  const vitest = path.join(repoRoot, 'node_modules', 'vitest', 'vitest.mjs');
  const result = spawnSync(process.execPath, [vitest, 'run', '--reporter=verbose'], {
    cwd: project,
    env: childEnv({ CI: '1', NO_COLOR: '1' }),
    encoding: 'utf8',
    timeout: 120_000,
  });
  expect(result.status, result.stdout + result.stderr).toBe(0);
  expect(result.stdout).toContain('3 passed');
  expect(result.stdout).toContain('redirects a known name with 302');
});
