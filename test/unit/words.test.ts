// Words a user reads: counts with the right noun, text cut without splitting a character,
// oclif's parse errors on one line, tables without rules between rows, and the CSV header
// rules as the interactive mode's import and export apply them.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { oclifMessage } from '../../src/cli/report-error.js';
import { LocalBackend } from '../../src/lib/backends/local.js';
import { displayKey } from '../../src/lib/errors.js';
import { csvColumns } from '../../src/lib/formats/csv.js';
import { KV } from '../../src/lib/kv.js';
import { exportToFile, importFromFile } from '../../src/lib/manage/transfer.js';
import { renderTable, truncate } from '../../src/lib/term/index.js';
import { count, counted, truncateText } from '../../src/lib/words.js';
import { tempDir } from '../helpers.js';

describe('counted', () => {
  it('gives one a singular noun and every other count a plural, with thousands separators', () => {
    expect(counted(1, 'entry', 'entries')).toBe('1 entry');
    expect(counted(0, 'entry', 'entries')).toBe('0 entries');
    expect(counted(1, 'key')).toBe('1 key');
    expect(counted(1234567, 'key')).toBe('1,234,567 keys');
    expect(counted(1, 'byte')).toBe('1 byte');
  });
});

describe('count', () => {
  it('groups thousands with commas exactly as en-US formatting does, for every magnitude and sign', () => {
    const samples = [
      0,
      1,
      -1,
      7,
      999,
      1000,
      -1000,
      12_345,
      999_999,
      1_000_000,
      1_234_567_890,
      Number.MAX_SAFE_INTEGER,
      -Number.MAX_SAFE_INTEGER,
      2.5,
      1e21,
    ];
    for (let n = 1; n < 1e15; n = n * 7 + 3) samples.push(n);
    for (const n of samples) expect(count(n), String(n)).toBe(n.toLocaleString('en-US'));
  });
});

describe('truncation never splits a character', () => {
  const family = '👨‍👩‍👧';
  const thumb = '👍🏽';
  const accented = 'e\u0301';

  it('keeps whole graphemes (emoji sequences, skin tones, combining accents) and adds the ellipsis', () => {
    expect(truncateText('abcdef', 4)).toBe('abc…');
    expect(truncateText('abcd', 4)).toBe('abcd');
    expect(truncateText(`ab${thumb}cdef`, 4)).toBe(`ab${thumb}…`);
    expect(truncateText(accented.repeat(5), 3)).toBe(`${accented.repeat(2)}…`);
    expect(truncateText(`${family}${family}`, 1)).toBe(family);
    expect(truncateText('abc', 0)).toBe('');
    // Every cut is a prefix made of whole code points: no lone surrogate.
    for (let width = 0; width < 8; width++) {
      const cut = truncateText(`${family}x${thumb}y${accented}z`.repeat(2), width);
      expect(cut).not.toMatch(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/);
    }
  });

  it('cuts long texts (read only as far as the cut) and stacks of accents at a whole character', () => {
    const long = `${thumb}${accented}x`.repeat(1_000_000);
    expect(truncateText(long, 7)).toBe(`${thumb}${accented}x${thumb}${accented}x…`);
    const stacked = `a${'\u0301'.repeat(5000)}b`;
    expect(truncateText(stacked, 3)).toBe('…');
    expect(truncateText(`xy${stacked}`, 3)).toBe('xy…');
  });

  it('the table cell cut and the key shown in messages use it', () => {
    expect(truncate(`a\tb${thumb}${thumb}`, 5)).toBe(`a\\tb…`);
    expect(truncate(`ab${thumb}${thumb}c`, 4)).toBe(`ab${thumb}…`);
    const key = `${'k'.repeat(76)}${family.repeat(5)}`;
    const shown = displayKey(key);
    expect(shown).toBe(`"${'k'.repeat(76)}${family}…"`);
  });
});

describe('oclif parse errors', () => {
  it('are one line: no tab, no "See more help with --help" beside our hint', () => {
    expect(oclifMessage('Parsing --limit \n\tExpected an integer but received: x\nSee more help with --help')).toBe(
      '--limit: expected an integer but received: x',
    );
    expect(oclifMessage('Missing 1 required arg:\nkey  Key to read.\nSee more help with --help')).toBe(
      'Missing 1 required arg: key (Key to read)',
    );
    expect(
      oclifMessage(
        'The following error occurred:\n  \u001b[2m--expiration=5 cannot also be provided when using --ttl\u001b[22m\nSee more help with --help',
      ),
    ).toBe('--expiration=5 cannot also be provided when using --ttl');
    expect(oclifMessage('Nonexistent flag: --bogus\nSee more help with --help')).toBe('Nonexistent flag: --bogus');
  });
});

describe('tables', () => {
  it('draw one rule under the header and none between rows', async () => {
    const rows = [
      ['a', '1'],
      ['b', '2'],
      ['c', '3'],
    ];
    const text = await renderTable(
      rows,
      [
        { header: 'key', get: (r) => r[0] as string },
        { header: 'value', get: (r) => r[1] as string, flexible: true },
      ],
      40,
    );
    const lines = text.split('\n');
    // top rule, header, rule, three rows, bottom rule
    expect(lines).toHaveLength(7);
    expect(lines.filter((line) => line.startsWith('├'))).toHaveLength(1);
    expect(lines.slice(3, 6).map((line) => line.replace(/[│ ]/g, ''))).toEqual(['a1', 'b2', 'c3']);
  });
});

describe('CSV header rules', () => {
  it('match names in any case and read spaces or "-" as "_"', () => {
    const columns = csvColumns(['Key', 'VALUE', 'Expiration TTL', 'Metadata', 'Base64'], 'x.csv', 1);
    expect(columns).toMatchObject({ key: 0, value: 1, expirationTtl: 2, metadata: 3, base64: 4 });
    expect(csvColumns(['key', 'value', 'expiration-ttl'], 'x.csv', 1).expirationTtl).toBe(2);
    expect(() => csvColumns(['key', 'value', 'colour'], 'x.csv', 1)).toThrow(/does not know: "colour"/);
    expect(csvColumns(['key', 'value', 'colour'], 'x.csv', 1, { ignoreColumns: true }).header).toEqual(['key', 'value', 'colour']);
  });
});

describe('manage export and import follow the same CSV rules', () => {
  const backend = new LocalBackend({ dataDir: tempDir('words-manage') });
  afterAll(() => backend.close());

  it('a .tsv file is tab-separated both ways, and an unknown column is refused', async () => {
    const kv = await KV.create('tsv', { backend });
    await kv.put('a', 'x,y');
    const dir = tempDir('words-tsv');
    const file = path.join(dir, 'keys.tsv');
    await exportToFile(kv, file);
    expect(fs.readFileSync(file, 'utf8')).toBe('key\tvalue\tbase64\texpiration\tmetadata\na\tx,y\t\t\t\n');
    const copy = await KV.create('tsv-copy', { backend });
    expect((await importFromFile(copy, file)).written).toBe(1);
    expect(await copy.get('a', 'text')).toBe('x,y');
    const typo = path.join(dir, 'typo.csv');
    fs.writeFileSync(typo, 'Key,Value,Expiry\nb,1,4102444800\n');
    await expect(importFromFile(copy, typo)).rejects.toThrow(/does not know: "Expiry"/);
    expect(await copy.get('b')).toBeNull();
  });
});
