/** `kvadm export` and `kvadm import --rejects` in process: output files that cannot be written. */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../helpers.js';
import { runCommand } from '../run-command.js';

describe('output files that cannot be written (exit 2, nothing half-done)', () => {
  it('export into a missing folder, and --rejects into a missing folder', async () => {
    const env = { KVADM_DATA_DIR: tempDir('unwritable') };
    expect((await runCommand(['kv', 'put', 'a', '1'], { env })).code).toBe(0);
    const exported = await runCommand(['export', '/nonexistent-kvadm/dir/x.json'], { env });
    expect(exported.code).toBe(2);
    expect(exported.stderr).toContain(
      'cannot write the export file /nonexistent-kvadm/dir/x.json: the folder /nonexistent-kvadm/dir does not exist',
    );
    const input = path.join(tempDir('rejects-in'), 'in.jsonl');
    fs.writeFileSync(input, '{"key":"b","value":"2"}\n{"key":"","value":"x"}\n');
    const imported = await runCommand(['import', input, '--skip-invalid', '--rejects', '/nonexistent-kvadm/r.jsonl'], { env });
    expect(imported.code).toBe(2);
    expect(imported.stderr).toContain('cannot write --rejects /nonexistent-kvadm/r.jsonl');
    const listed = await runCommand(['kv', 'list'], { env });
    expect(listed.stdout).toBe('a\n');
  });
});
