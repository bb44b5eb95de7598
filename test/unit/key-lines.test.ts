import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { InvalidKeyListError, readKeyList } from '../../src/lib/bulk/key-list.js';
import { type KeyRecord, keyLine, keyRecords, parseKeyLine } from '../../src/lib/key-lines.js';

const TRICKY = [
  'plain',
  'with space ',
  ' leading',
  'mid "quote"',
  'tmp:x\nline1',
  'cr at end\r',
  'tab\there',
  '"starts with a quote',
  'nul\0inside',
  'del\u007f',
  'nel\u0085',
  'line sep\u2028',
  '\ufeffbom first',
  'back\\slash',
  '[bracket',
  '{"key":"x"}',
  'emoji 🙂 中文',
];

async function records(chunks: Array<string | Buffer>, separator: 'lines' | 'null'): Promise<KeyRecord[]> {
  const found: KeyRecord[] = [];
  for await (const batch of keyRecords(Readable.from(chunks), separator)) found.push(...batch);
  return found;
}

/** Every way of cutting `bytes` in two, and one byte a chunk. */
function cuts(bytes: Buffer): Buffer[][] {
  const ways: Buffer[][] = [[...bytes].map((b) => Buffer.from([b]))];
  for (let at = 0; at <= bytes.length; at++) ways.push([bytes.subarray(0, at), bytes.subarray(at)]);
  return ways;
}

describe('key lines', () => {
  it('ordinary keys print as they are; the others as a JSON string that reads back as the same key, on one line', () => {
    for (const key of TRICKY) {
      const line = keyLine(key);
      expect(line.includes('\n') || line.includes('\r') || line.includes('\0'), key).toBe(false);
      expect(parseKeyLine(line), JSON.stringify(key)).toBe(key);
    }
    for (const key of ['plain', 'with space ', 'mid "quote"', 'back\\slash', '[bracket', '{"key":"x"}', 'emoji 🙂 中文']) {
      expect(keyLine(key)).toBe(key);
    }
    expect(keyLine('tmp:x\nline1')).toBe('"tmp:x\\nline1"');
    expect(keyLine('nel\u0085')).toBe('"nel\\u0085"');
  });

  it('a line starting with a quote that is not one JSON string is refused, not read as a key', () => {
    for (const line of ['"open', '"a" trailing', '"\\x"']) expect(() => parseKeyLine(line), line).toThrow(/must be one JSON string/);
  });

  it('records are the same however the input is cut into chunks (CRLF, a BOM, a multi-byte character at the cut)', async () => {
    const input = Buffer.from('\ufeffone\r\n\ntwo 🙂\n"q\\n"\nlast', 'utf8');
    const expected = [
      { text: 'one', line: 1 },
      { text: 'two 🙂', line: 3 },
      { text: '"q\\n"', line: 4 },
      { text: 'last', line: 5 },
    ];
    for (const chunks of cuts(input)) expect(await records(chunks, 'lines')).toEqual(expected);
  });

  it('NUL-separated records keep line breaks, CRs and a leading BOM; empty records are skipped', async () => {
    const input = Buffer.from('\ufeffa\r\n\0\0b\nc\0', 'utf8');
    for (const chunks of cuts(input)) {
      expect((await records(chunks, 'null')).map((r) => r.text)).toEqual(['\ufeffa\r\n', 'b\nc']);
    }
  });

  it('a record whose bytes are not UTF-8 is flagged with its line; a real U+FFFD is a character like any other', async () => {
    const found = await records([Buffer.concat([Buffer.from('ok\n\ufffd real\nbad '), Buffer.from([0xff]), Buffer.from('\n')])], 'lines');
    expect(found.map((r) => [r.text, r.line, r.error?.code])).toEqual([
      ['ok', 1, undefined],
      ['\ufffd real', 2, undefined],
      ['bad \ufffd', 3, 'NOT_UTF8'],
    ]);
  });
});

describe('readKeyList', () => {
  const read = (text: string, format?: 'lines' | 'null' | 'json' | 'jsonl' | 'csv') =>
    readKeyList({ kind: 'stream', stream: Readable.from([Buffer.from(text)]) }, format ? { format } : {});

  it('reads back every key kv list prints, in each form', async () => {
    expect(
      await read(
        TRICKY.filter((k) => !k.includes('\0'))
          .map(keyLine)
          .join('\n'),
      ),
    ).toEqual(TRICKY.filter((k) => !k.includes('\0')));
    expect(
      await read(
        TRICKY.filter((k) => !k.includes('\0'))
          .map((k) => `${k}\0`)
          .join(''),
        'null',
      ),
    ).toEqual(TRICKY.filter((k) => !k.includes('\0')));
    expect(await read(JSON.stringify({ keys: TRICKY.map((name) => ({ name })), list_complete: true }, null, 2), 'json')).toEqual(TRICKY);
    expect(await read(TRICKY.map((key) => JSON.stringify({ key, value: 'v' })).join('\n'), 'jsonl')).toEqual(TRICKY);
  });

  it('CSV takes the "key" column, wherever it is', async () => {
    expect(await read('value,Key\n1,a\n2,"b\nc"\n', 'csv')).toEqual(['a', 'b\nc']);
  });

  it('input in another format than the one given is refused with the formats named', async () => {
    const listing = JSON.stringify({ keys: [{ name: 'a' }], list_complete: true }, null, 2);
    await expect(read('a\nb\n', 'json')).rejects.toThrow(/expected a JSON array/);
    await expect(read(listing, 'jsonl')).rejects.toThrow(/syntax error/);
    await expect(read('{"key":"a","value":"1"}\n{"key":"b","value":"2"}\n', 'json')).rejects.toThrow(/after the end/);
    await expect(read('{"a": "1", "b": "2"}', 'json')).rejects.toThrow(/not the output of kv list --json/);
    await expect(read('name\na\n', 'csv')).rejects.toThrow(/no "key" column/);
    const hint = await read('a\n', 'json').catch((e: { hint?: string }) => e.hint);
    expect(hint).toContain('--format jsonl (export)');
  });

  it('invalid keys are all reported together, with their lines', async () => {
    const error = await read('ok\n.\n"\\ud800"\n', 'lines').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidKeyListError);
    expect((error as InvalidKeyListError).message).toContain('key 1 (line 2): KEY_RESERVED');
    expect((error as InvalidKeyListError).message).toContain('key 2 (line 3): KEY_INVALID');
  });

  it('without a format, lines are key names unless the whole input is plainly JSON or CSV', async () => {
    expect(await read('[a\n{b}\n]\n')).toEqual(['[a', '{b}', ']']);
    await expect(read('[\n"a"\n]\n')).rejects.toThrow(/JSON document/);
    await expect(read('{"key":"a"}\n{"key":"b"}\n')).rejects.toThrow(/JSON Lines/);
    await expect(read('key,value\na,1\n')).rejects.toThrow(/CSV/);
    expect(await read('[\n"a"\n]\n', 'lines')).toEqual(['[', 'a', ']']);
  });
});
