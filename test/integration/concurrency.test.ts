/**
 * Several kvadm processes on one local store at once: no "database is locked", no
 * lost writes, exactly one winner when they race to create a namespace.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { type CliResult, childEnv, repoRoot, runCli, tempDir } from '../helpers.js';
import { runCommand } from '../run-command.js';

function integrity(file: string): string {
  const db = new Database(file, { readonly: true });
  try {
    return db.pragma('integrity_check', { simple: true }) as string;
  } finally {
    db.close();
  }
}

describe('parallel kvadm processes on one local store', () => {
  it('eight `kv put` at once on a fresh data dir all create the default namespace and succeed', async () => {
    for (let round = 0; round < 2; round++) {
      const env = { KVADM_DATA_DIR: tempDir(`race${round}`) };
      const results = await Promise.all(Array.from({ length: 8 }, (_, i) => runCli(['kv', 'put', `k${i}`, `v${i}`], { env })));
      for (const result of results) {
        expect(result.stderr).not.toMatch(/locked|BUSY/i);
        expect(result.code, result.stderr).toBe(0);
      }
      const listed = await runCommand(['kv', 'list'], { env });
      expect(listed.stdout).toBe(`${Array.from({ length: 8 }, (_, i) => `k${i}\n`).join('')}`);
    }
  });

  it('eight `ns create` of one name at once: exactly one succeeds, the others exit 4', async () => {
    const env = { KVADM_DATA_DIR: tempDir('create-race') };
    const results: CliResult[] = await Promise.all(Array.from({ length: 8 }, () => runCli(['ns', 'create', 'same'], { env })));
    expect(results.map((r) => r.code).sort()).toEqual([0, 4, 4, 4, 4, 4, 4, 4]);
    const put = await runCommand(['kv', 'put', 'k', 'v', '-n', 'same'], { env });
    expect(put.code, put.stderr).toBe(0);
  });

  it('eight processes × 50 `kv put` commands on one namespace at once: all land', async () => {
    const dataDir = tempDir('parallel');
    expect((await runCommand(['ns', 'create', 'shared'], { env: { KVADM_DATA_DIR: dataDir } })).code).toBe(0);
    // Each process runs the kvadm command 50 times through oclif's entry point (the one
    // bin/run.js calls), so every put opens its own connection as a separate kvadm would,
    // without paying 400 Node start-ups.
    const script = `
      import { run } from '@oclif/core';
      import { pathToFileURL } from 'node:url';
      const [id, count] = process.argv.slice(1);
      const root = pathToFileURL(${JSON.stringify(path.join(repoRoot, 'bin', 'run.js'))}).href;
      for (let i = 0; i < Number(count); i++) {
        await run(['kv', 'put', 'p' + id + '-' + i, 'value of ' + id + '/' + i, '-n', 'shared'], root);
      }
    `;
    const results = await Promise.all(
      Array.from(
        { length: 8 },
        (_, id) =>
          new Promise<{ code: number | null; stderr: string }>((resolve) => {
            const child = spawn(process.execPath, ['--input-type=module', '-e', script, String(id), '50'], {
              cwd: repoRoot,
              env: childEnv({ KVADM_DATA_DIR: dataDir }),
              stdio: ['ignore', 'ignore', 'pipe'],
            });
            let stderr = '';
            child.stderr.on('data', (chunk) => (stderr += chunk));
            child.on('close', (code) => resolve({ code, stderr }));
          }),
      ),
    );
    for (const result of results) expect(result, result.stderr).toEqual({ code: 0, stderr: '' });

    const env = { KVADM_DATA_DIR: dataDir };
    const listed = await runCommand(['kv', 'list', '--all', '-n', 'shared'], { env });
    const keys = listed.stdout.split('\n').filter(Boolean);
    expect(keys).toHaveLength(8 * 50);
    for (let id = 0; id < 8; id++) for (let i = 0; i < 50; i++) expect(keys).toContain(`p${id}-${i}`);
    expect((await runCommand(['kv', 'get', 'p7-49', '-n', 'shared'], { env })).stdout).toBe('value of 7/49');
    expect(integrity(path.join(dataDir, 'namespaces', 'shared.sqlite'))).toBe('ok');
  });
});
