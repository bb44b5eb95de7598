// What bin/run.js does before any command runs: unknown commands, oclif's own folders.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli, tempDir } from '../helpers.js';
import { runCommand, runFastPath } from '../run-command.js';

/**
 * As bin/run.js runs them (the fast path's dispatcher, which declines, then oclif) and oclif
 * alone, both in this process: the binary's answer to an unknown command is compared with the
 * in-process one in run-command.test.ts, and spawned below for --json.
 */
const runners = [
  { label: '', run: runFastPath },
  { label: ' (oclif alone)', run: runCommand },
];

describe('unknown commands', () => {
  const cases: Array<[string[], string]> = [
    [['kv', 'frobnicate'], 'hint: did you mean kvadm kv '],
    [['kv', 'lst'], 'hint: did you mean kvadm kv list? Run kvadm help kv for the list of commands'],
    [['nss', 'list'], 'hint: did you mean kvadm ns list?'],
    [['--bogus'], 'hint: run kvadm help for the list of commands'],
  ];
  for (const [argv, hint] of cases) {
    for (const { label, run } of runners) {
      it(`kvadm ${argv.join(' ')} exits 2 with a suggestion and no prompt${label}`, async () => {
        const result = await run(argv);
        expect(result.code).toBe(2);
        expect(result.stdout).toBe('');
        expect(result.stderr).toContain(`kvadm: error: ${JSON.stringify(argv.join(' '))} is not a kvadm command\n`);
        expect(result.stderr).toContain(hint);
      });
    }
  }

  it('kvadm kv frob --json through the binary reports the error as JSON on stderr', async () => {
    const result = await runCli(['kv', 'frob', '--json']);
    expect(result.code).toBe(2);
    expect(JSON.parse(result.stderr)).toMatchObject({ error: { code: 'USAGE', message: '"kv frob" is not a kvadm command' } });
  });
});

describe("oclif does not use kvadm's folders", () => {
  const file = path.join(tempDir('not-a-folder'), 'file');
  fs.writeFileSync(file, 'x');
  const invocations = [['ns', 'info', 'default'], ['kv', 'get', 'k'], ['config', 'list'], ['--help'], ['kv', 'frob']];
  for (const variable of ['KVADM_DATA_DIR', 'KVADM_CONFIG_DIR', 'KVADM_CACHE_DIR']) {
    for (const argv of invocations) {
      it(`${variable}=<a file> kvadm ${argv.join(' ')} prints no Node or oclif warning`, async () => {
        const result = await runCli(argv, { env: { [variable]: file, KVADM_NO_FAST_PATH: '1' } });
        expect(result.stderr).not.toMatch(/\(node:\d+\)|Warning|package\.json/);
      });
    }
  }
});
