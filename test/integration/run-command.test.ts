/**
 * The in-process runner (test/run-command.ts) answers as the binary does through oclif
 * (KVADM_NO_FAST_PATH=1): the same exit code, stdout bytes and stderr for each kind of
 * ending — success, help, a usage error, an unknown command, a KvadmError with and without
 * --json, an unexpected failure (exit 1), process.exitCode (diff), stdin data and global
 * flags before the command. The command tests in test/commands rely on this.
 */
import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runCli, tempDir } from '../helpers.js';
import { runCommand } from '../run-command.js';

/** Elapsed times in messages ("(0.09 s)") differ between any two runs. */
const timeless = (text: string) => text.replace(/\(\d+(\.\d+)? s\)/g, '(T s)');

describe('runCommand answers as the binary does through oclif', () => {
  const dataDir = tempDir('runner');
  const env = { KVADM_DATA_DIR: dataDir };
  beforeAll(async () => {
    expect((await runCommand(['kv', 'put', 'greeting', 'héllo'], { env })).code).toBe(0);
    expect((await runCommand(['ns', 'create', 'other'], { env })).code).toBe(0);
    fs.writeFileSync(path.join(dataDir, 'namespaces', 'broken.sqlite'), 'not a database, just text that is long enough');
  });

  const cases: Array<{ argv: string[]; input?: string }> = [
    { argv: ['kv', 'get', 'greeting'] },
    { argv: ['kv', 'get', 'greeting', '--json'] },
    { argv: ['kv', 'put', 'piped', '-'], input: 'from stdin\n' },
    { argv: ['ns', 'list', '--json'] },
    { argv: ['-n', 'other', 'kv', 'list'] },
    { argv: ['kv', 'get', '--help'] },
    { argv: ['kv', 'get', 'greeting', '--bogus'] },
    { argv: ['kv', 'frob'] },
    { argv: ['kv', 'get', 'missing'] },
    { argv: ['kv', 'get', 'missing', '--json'] },
    { argv: ['ns', 'info', 'broken'] },
    { argv: ['diff', 'default', 'other'] },
  ];
  for (const { argv, input } of cases) {
    it(`kvadm ${argv.join(' ')}${input === undefined ? '' : ' with stdin'}`, async () => {
      const options = { env: { ...env, KVADM_NO_FAST_PATH: '1' }, ...(input === undefined ? {} : { input }) };
      const binary = await runCli(argv, options);
      const inProcess = await runCommand(argv, options);
      expect({ code: inProcess.code, stdout: inProcess.stdout, stderr: timeless(inProcess.stderr) }).toEqual({
        code: binary.code,
        stdout: binary.stdout,
        stderr: timeless(binary.stderr),
      });
      expect(inProcess.stdoutBytes.equals(binary.stdoutBytes)).toBe(true);
    });
  }
});
