// What the binary says about counts and usage errors: one entry is "1 entry", a duplicate key
// is written once, and oclif's parse errors arrive as one line with one hint.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../helpers.js';
import { runCommand } from '../run-command.js';

function sandbox() {
  const dir = tempDir('words');
  const env = { KVADM_DATA_DIR: path.join(dir, 'store') };
  const cli = (args: string[], input?: string) => runCommand(args, { env, cwd: dir, ...(input === undefined ? {} : { input }) });
  const file = (name: string, text: string) => {
    fs.writeFileSync(path.join(dir, name), text);
    return name;
  };
  return { cli, file };
}

/** "1 entries", "1 keys", "1 bytes", … anywhere in a message. */
const WRONG_SINGULAR = /(?<![\d,.])1 (entries|keys|bytes|duplicates|values|expired keys)\b/;

describe('counts in messages', () => {
  it('say "1 entry", "1 key", "1 byte" and count a duplicate key as written once', async () => {
    const { cli, file } = sandbox();
    const one = await cli(['import', file('one.jsonl', '{"key":"a","value":"x"}\n'), '-n', 'w', '--create-namespace']);
    expect(one.code, one.stderr).toBe(0);
    expect(one.stderr).toMatch(/^imported 1 entry into 'w' \(created\): 1 written, 0 skipped, 0 duplicates, /);

    const dups = await cli([
      'import',
      file('dups.jsonl', '{"key":"a","value":"1"}\n{"key":"b","value":"2"}\n{"key":"a","value":"3"}\n'),
      '-n',
      'w',
    ]);
    expect(dups.stderr).toMatch(/^imported 3 entries into 'w': 2 written, 0 skipped, 1 duplicate, /);

    const invalid = await cli(['import', file('bad.jsonl', '{"key":"","value":"x"}\n'), '-n', 'w']);
    expect(invalid.code).toBe(2);
    expect(invalid.stderr).toContain('1 of 1 entry in bad.jsonl is invalid; nothing was written');

    const exported = await cli(['export', 'out.csv', '-n', 'w', '--prefix', 'b']);
    expect(exported.stderr).toMatch(/^exported 1 entry from 'w' to out\.csv: /);

    const got = await cli(['kv', 'get', 'b', '-n', 'w', '--out', 'b.txt']);
    expect(got.stderr).toBe('wrote 1 byte to b.txt\n');

    const deleted = await cli(['kv', 'delete', 'b', '-n', 'w']);
    expect(deleted.stderr).toBe("deleted 1 of 1 key from 'w'\n");

    const dropped = await cli(['ns', 'delete', 'w', '--force']);
    expect(dropped.stderr).toBe("deleted namespace 'w' (1 key)\n");

    for (const result of [one, dups, invalid, exported, got, deleted, dropped]) expect(result.stderr).not.toMatch(WRONG_SINGULAR);
  });
});

describe('usage errors from the flag parser', () => {
  it('are one line without tabs, with our hint and not oclif\'s "See more help"', async () => {
    const { cli } = sandbox();
    for (const args of [
      ['serve', '--port', 'x'],
      ['kv', 'get'],
      ['kv', 'put', 'k', 'v', '--ttl', '90', '--expiration', '4102444800'],
    ]) {
      const result = await cli(args);
      expect(result.code, args.join(' ')).toBe(2);
      expect(result.stderr).not.toContain('\t');
      expect(result.stderr).not.toContain('See more help');
      const lines = result.stderr.trimEnd().split('\n');
      expect(lines, result.stderr).toHaveLength(2);
      expect(lines[0]).toMatch(/^kvadm: error: \S/);
      expect(lines[1]).toBe('  hint: see --help for the usage');
    }
    expect((await cli(['serve', '--port', 'x'])).stderr).toContain('kvadm: error: --port: expected an integer but received: x\n');
  });
});
