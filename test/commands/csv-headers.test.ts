// CSV as spreadsheets write it: header names in any case, another delimiter, .tsv files, and
// columns kvadm would otherwise drop silently. The header is read the same way whatever the
// backend, so these run on the local store through the binary.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../helpers.js';
import { runCommand } from '../run-command.js';

function sandbox() {
  const dir = tempDir('csv-headers');
  const env = { KVADM_DATA_DIR: path.join(dir, 'store') };
  const file = (name: string, text: string) => {
    const target = path.join(dir, name);
    fs.writeFileSync(target, text);
    return target;
  };
  const cli = (args: string[]) => runCommand(args, { env, cwd: dir });
  return { dir, file, cli };
}

describe('CSV headers', () => {
  it('match whatever their case: Key,Value,Metadata,EXPIRATION_TTL stores metadata and the TTL', async () => {
    const { file, cli } = sandbox();
    const csv = file('sheet.csv', 'Key,Value,Metadata,EXPIRATION_TTL\nuser:1,Ada,"{""role"":""admin""}",3600\n');
    const result = await cli(['import', csv, '--json']);
    expect(result.code, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ entries: 1, written: 1, unknownFields: {} });
    expect(result.stderr).toBe('');
    const stored = await cli(['kv', 'get', 'user:1', '--with-metadata']);
    const entry = JSON.parse(stored.stdout) as { value: string; metadata: unknown; expiration: number };
    expect(entry).toMatchObject({ value: 'Ada', metadata: { role: 'admin' } });
    expect(entry.expiration).toBeGreaterThan(Date.now() / 1000 + 3000);
  });

  it('a header split at "," that holds ";" or tabs is refused with the --delimiter that reads it', async () => {
    const { file, cli } = sandbox();
    const semicolons = await cli(['import', file('semi.csv', 'key;value\na;1\n')]);
    expect(semicolons.code).toBe(2);
    expect(semicolons.stderr).toContain('the header has no "key" column');
    expect(semicolons.stderr).toContain('hint: the header was split at "," but its names contain ";": import with --delimiter ";"');
    const tabs = await cli(['import', file('tabs.csv', 'key\tvalue\na\t1\n')]);
    expect(tabs.code).toBe(2);
    expect(tabs.stderr).toContain('import with --delimiter tab (or name the file .tsv)');
    // The hinted command works.
    const fixed = await cli(['import', file('semi2.csv', 'key;value\na;1\n'), '--delimiter', ';']);
    expect(fixed.code, fixed.stderr).toBe(0);
    expect((await cli(['kv', 'get', 'a'])).stdout).toBe('1');
  });

  it('refuses a column kvadm does not know (exit 2, nothing written) unless --ignore-columns', async () => {
    const { file, cli } = sandbox();
    const csv = file('typo.csv', 'key,value,expiraton,note\na,1,4102444800,x\n');
    const refused = await cli(['import', csv]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('typo.csv line 1: the header names columns kvadm does not know: "expiraton", "note"');
    expect(refused.stderr).toContain('known columns (any case): key, value, metadata, expiration, expiration_ttl, base64');
    expect(refused.stderr).toContain('--ignore-columns');
    expect((await cli(['kv', 'get', 'a'])).code).toBe(3);
    const json = await cli(['import', csv, '--json']);
    expect(JSON.parse(json.stderr).error).toMatchObject({ code: 'CSV_COLUMN_UNKNOWN', columns: ['expiraton', 'note'] });
    const ignored = await cli(['import', csv, '--ignore-columns']);
    expect(ignored.code, ignored.stderr).toBe(0);
    expect(ignored.stderr).toContain('warning: ignored unknown columns "expiraton" (1 entry), "note" (1 entry)');
    expect((await cli(['kv', 'get', 'a'])).stdout).toBe('1');
  });

  it('refuses the same column twice in different case', async () => {
    const { file, cli } = sandbox();
    const result = await cli(['import', file('twice.csv', 'key,value,KEY\na,1,b\n')]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('the column "KEY" appears twice');
  });

  it('reads and writes .tsv files with tabs, and they round-trip', async () => {
    const { dir, file, cli } = sandbox();
    const tsv = file('in.tsv', 'key\tvalue\tmetadata\nt1\thello, world\t{}\nt2\tsemi;colon\t\n');
    const imported = await cli(['import', tsv]);
    expect(imported.code, imported.stderr).toBe(0);
    expect((await cli(['kv', 'get', 't1'])).stdout).toBe('hello, world');
    const exported = await cli(['export', 'out.tsv']);
    expect(exported.code, exported.stderr).toBe(0);
    const text = fs.readFileSync(path.join(dir, 'out.tsv'), 'utf8');
    expect(text).toBe('key\tvalue\tbase64\texpiration\tmetadata\nt1\thello, world\t\t\t{}\nt2\tsemi;colon\t\t\t\n');
    // --delimiter still wins over the extension.
    expect((await cli(['export', 'comma.tsv', '--delimiter', ','])).code).toBe(0);
    expect(fs.readFileSync(path.join(dir, 'comma.tsv'), 'utf8').split('\n')[0]).toBe('key,value,base64,expiration,metadata');
  });

  it('CSV export ends with a newline, to a file and on stdout, also when the last value ends without one', async () => {
    const { dir, cli } = sandbox();
    expect((await cli(['kv', 'put', 'last', 'multi\nline'])).code).toBe(0);
    const stdout = await cli(['export', '--format', 'csv']);
    expect(stdout.stdout).toBe('key,value,base64,expiration,metadata\nlast,"multi\nline",,,\n');
    expect((await cli(['export', 'all.csv'])).code).toBe(0);
    expect(fs.readFileSync(path.join(dir, 'all.csv'), 'utf8')).toBe(stdout.stdout);
    const empty = await cli(['export', '--format', 'csv', '--prefix', 'none:']);
    expect(empty.stdout).toBe('key,value,base64,expiration,metadata\n');
  });
});
