import { describe, expect, it } from 'vitest';
import { readCsv } from '../../src/lib/formats/csv.js';
import { CsvScanner } from '../../src/lib/formats/csv-scanner.js';
import { InputSyntaxError } from '../../src/lib/formats/syntax.js';

interface Read {
  header: string[];
  records: string[][];
  lines: number[];
}

/** Read `input` as CSV through readCsv, given as Buffer chunks cut at `cuts` (byte offsets). */
async function read(input: string | Buffer, cuts: number[] = [], delimiter = ','): Promise<Read> {
  const bytes = typeof input === 'string' ? Buffer.from(input) : input;
  const bounds = [0, ...cuts, bytes.length];
  async function* chunks(): AsyncIterable<Buffer> {
    for (let i = 1; i < bounds.length; i++) yield bytes.subarray(bounds[i - 1], bounds[i]);
  }
  const result: Read = { header: [], records: [], lines: [] };
  for await (const batch of readCsv(chunks(), delimiter, 'test.csv')) {
    result.header = batch.columns?.header ?? [];
    result.records.push(...(batch.records as string[][]));
    result.lines.push(...batch.lines);
  }
  return result;
}

async function syntaxError(input: string, cuts: number[] = [], delimiter = ','): Promise<InputSyntaxError> {
  try {
    await read(input, cuts, delimiter);
  } catch (error) {
    if (error instanceof InputSyntaxError) return error;
    throw error;
  }
  throw new Error('expected a syntax error');
}

/** Every way to cut `input` in two, and in three pieces at neighbouring bytes. */
function cutsOf(input: string): number[][] {
  const n = Buffer.byteLength(input);
  const cuts: number[][] = [];
  for (let i = 0; i <= n; i++) {
    cuts.push([i]);
    if (i + 1 <= n) cuts.push([i, i + 1]);
  }
  return cuts;
}

// Multi-byte characters (2, 3 and 4 bytes), `""`, CRLF, quoted delimiters and line breaks, a blank line.
const TRICKY =
  '\ufeffkey,value,metadata\r\n' +
  'é🙂,"say ""hi"", twice",\r\n' +
  '\r\n' +
  '"multi\r\nline\nkey","€,""\r\n""",{}\r\n' +
  'plain,"",""""\r\n' +
  'last,"ends\nwithout a break",x';
const TRICKY_RECORDS = [
  ['é🙂', 'say "hi", twice', ''],
  ['multi\r\nline\nkey', '€,"\r\n"', '{}'],
  ['plain', '', '"'],
  ['last', 'ends\nwithout a break', 'x'],
];

describe('CSV scanner', () => {
  it('reads records, quoted fields and the line where each record starts', async () => {
    const result = await read(TRICKY);
    expect(result.header).toEqual(['key', 'value', 'metadata']);
    expect(result.records).toEqual(TRICKY_RECORDS);
    expect(result.lines).toEqual([2, 4, 8, 9]);
  });

  it('gives the same records and lines for the input cut at every byte', async () => {
    for (const cuts of cutsOf(TRICKY)) {
      const result = await read(TRICKY, cuts);
      expect(result.records, `cut at ${cuts.join(', ')}`).toEqual(TRICKY_RECORDS);
      expect(result.lines, `cut at ${cuts.join(', ')}`).toEqual([2, 4, 8, 9]);
    }
  });

  it('reports the same error for the input cut at every byte', async () => {
    const input = 'key,value\r\n"a\r\nb""",v\r\né🙂,"open\r\nnever closed';
    for (const cuts of cutsOf(input)) {
      const error = await syntaxError(input, cuts);
      expect(error.message, `cut at ${cuts.join(', ')}`).toContain('at line 4, column 4: a quoted field is never closed');
    }
  });

  it('reads a file in many small chunks with a huge quoted value', async () => {
    const value = `${'x'.repeat(100_000)}\n""${'é'.repeat(50_000)}`;
    const input = `key,value\nbig,"${value}"\nnext,v\n`;
    const cuts = Array.from({ length: Math.floor(Buffer.byteLength(input) / 1000) }, (_, i) => (i + 1) * 1000);
    const result = await read(input, cuts);
    expect(result.records).toEqual([
      ['big', value.replace('""', '"')],
      ['next', 'v'],
    ]);
    expect(result.lines).toEqual([2, 4]);
  });

  it('takes ; and tab delimiters, and a multi-unit one', async () => {
    expect((await read('key;value\n"a;b";c\n', [], ';')).records).toEqual([['a;b', 'c']]);
    expect((await read('key\tvalue\n"a\tb"\tc,d\n', [], '\t')).records).toEqual([['a\tb', 'c,d']]);
    const input = 'key🙂value\n"a🙂b"🙂c\nd🙂e\n';
    for (const cuts of cutsOf(input))
      expect((await read(input, cuts, '🙂')).records).toEqual([
        ['a🙂b', 'c'],
        ['d', 'e'],
      ]);
  });

  it('skips a BOM, blank lines and a trailing line break; keeps a lone CR', async () => {
    const result = await read('\ufeff\nkey,value\n\n\r\na\rb,v\r\nc,w\r\n\n');
    expect(result.header).toEqual(['key', 'value']);
    expect(result.records).toEqual([
      ['a\rb', 'v'],
      ['c', 'w'],
    ]);
    expect(result.lines).toEqual([5, 6]);
    expect((await read('key,value\nk,\n')).records).toEqual([['k', '']]);
    expect((await read('key,value')).records).toEqual([]);
  });

  it('names the line and column of each syntax error', async () => {
    const cases: Array<[string, string]> = [
      [
        'key,value\nok,v\nb,"unclosed\nc,d\n',
        'line 3, column 3: a quoted field is never closed: the quote opened here runs to the end of the input (line 4)',
      ],
      ['key,value\n"a\nb" x,v\n', 'line 3, column 3: a closing quote is followed by " "'],
      ['key,value\né🙂"a"b,v\n', 'line 2, column 3: a quote inside an unquoted field'],
      ['key,value\nok,"v"\r\n"a"\r,v\r\n', 'line 3, column 4: a closing quote is followed by "\\r"'],
      ['key,value\nok,v\nb,v,extra\n', 'line 3, column 4: the record has 3 fields but the header has 2'],
      ['key,value\r\nok,v\r\nb\r\n', 'line 3, column 2: the record ends after 1 field but the header has 2'],
      ['key,value\n"a\n""b",v,"c\nd",e\n', 'line 3, column 7: the record (from line 2) has 4 fields but the header has 2'],
      ['key,val\nok,v,x\n', 'line 1, the header: the header has no "value" column'],
      ['\n\nkey,key\n', 'line 3, the header: the column "key" appears twice'],
      ['key,value\ra,v\r', 'line 1, the header: the header has no "value" column (found: "key", "value\\ra", "v")'],
      ['\ufeff\n\r\n', 'line 1, column 1: the input is empty'],
    ];
    for (const [input, message] of cases) {
      expect((await syntaxError(input)).message, JSON.stringify(input)).toContain(`test.csv at ${message}`);
    }
    expect((await syntaxError('key,value\nok,v\nb,"unclosed\nc,d\n')).details).toMatchObject({ line: 3, column: 3 });
  });

  it('hands the header to its callback and the other records to take()', () => {
    const headers: Array<[string[], number]> = [];
    const scanner = new CsvScanner(',', 'x.csv', (fields, line) => headers.push([fields, line]));
    scanner.push('\nkey,value\na,');
    expect(headers).toEqual([[['key', 'value'], 2]]);
    expect(scanner.take()).toBeNull();
    scanner.push('b\n');
    scanner.end();
    expect(scanner.take()).toEqual({ records: [['a', 'b']], lines: [3] });
  });
});
