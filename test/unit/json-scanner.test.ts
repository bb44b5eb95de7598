import { describe, expect, it } from 'vitest';
import { JsonScanner } from '../../src/lib/formats/json-scanner.js';
import { InputSyntaxError, locateJsonError } from '../../src/lib/formats/syntax.js';

/** Feed `text` in pieces of `size` characters; return every record and its line. */
function scan(text: string, mode: 'document' | 'lines', size = text.length): { records: unknown[]; lines: number[] } {
  const scanner = new JsonScanner(mode, 'test.json');
  const records: unknown[] = [];
  const lines: number[] = [];
  const take = () => {
    const batch = scanner.take();
    if (batch) {
      records.push(...batch.records);
      lines.push(...batch.lines);
    }
  };
  for (let i = 0; i < text.length; i += size) {
    scanner.push(text.slice(i, i + size));
    take();
  }
  scanner.end();
  take();
  return { records, lines };
}

function syntaxError(text: string, mode: 'document' | 'lines' = 'document', size?: number): InputSyntaxError {
  try {
    scan(text, mode, size);
  } catch (error) {
    if (error instanceof InputSyntaxError) return error;
    throw error;
  }
  throw new Error('expected a syntax error');
}

const DOCUMENT = `[
  {"key": "a", "value": "x \\" ] } [ { \\\\"},
  {"key": "b\\\\", "value": {"nested": [1, 2, {"deep": "]"}]}, "metadata": null},
  {"key": "é🙂", "value": 12.5e3}
]
`;

describe('JsonScanner', () => {
  it('finds the entries of an array whatever the chunk boundaries', () => {
    const whole = scan(DOCUMENT, 'document');
    expect(whole.records).toEqual(JSON.parse(DOCUMENT));
    expect(whole.lines).toEqual([2, 3, 4]);
    for (const size of [1, 2, 3, 5, 7, 13]) expect(scan(DOCUMENT, 'document', size)).toEqual(whole);
  });

  it('reads a plain object as [key, value] pairs, keeping duplicate keys and their order', () => {
    const { records, lines } = scan('{\n"2": "two",\n"1": {"a": 1},\n"2": true, "n": null\n}', 'document', 3);
    expect(records).toEqual([
      ['2', 'two'],
      ['1', { a: 1 }],
      ['2', true],
      ['n', null],
    ]);
    expect(lines).toEqual([2, 3, 4, 4]);
  });

  it('reads JSON Lines, skipping blank lines', () => {
    const { records, lines } = scan('{"key":"a","value":"1"}\n\n  {"key":"b","value":"2"}\r\n"x"\n', 'lines', 4);
    expect(records).toEqual([{ key: 'a', value: '1' }, { key: 'b', value: '2' }, 'x']);
    expect(lines).toEqual([1, 3, 4]);
  });

  it('accepts an empty array, an empty object and an empty JSON Lines input', () => {
    expect(scan(' [ ] ', 'document').records).toEqual([]);
    expect(scan('{}', 'document').records).toEqual([]);
    expect(scan('', 'lines').records).toEqual([]);
  });

  it.each([
    ['truncated array', '[\n{"key":"a","value":"b"},\n{"key":"c"', 3, 11, 'not complete'],
    ['unclosed array', '[\n{"key":"a","value":"b"}\n', 3, 1, 'not closed'],
    ['missing comma', '[\n{"key":"a","value":"b"}\n{"key":"c","value":"d"}]', 3, 1, 'expected "," or "]"'],
    ['trailing comma', '[{"key":"a","value":"b"},\n]', 2, 1, 'trailing comma'],
    ['bad literal', '[\n  {"key": "a", "value": tru}\n]', 2, 25, 'unexpected "t"'],
    ['raw line break in a string', '[{"key": "a\nb", "value": "c"}]', 1, 12, 'control character'],
    ['text after the document', '[]\nx', 2, 1, 'after the end'],
    ['not an array or object', '"key"', 1, 1, 'expected a JSON array'],
    ['empty input', '  \n', 2, 1, 'empty'],
    ['mismatched brackets', '[{"key": "a", "value": [1}]', 1, 26, 'brackets do not match'],
  ])('reports %s with its line and column', (_name, text, line, column, problem) => {
    for (const size of [text.length, 2]) {
      const error = syntaxError(text, 'document', size);
      expect(error.message).toContain(problem);
      expect(error.details).toMatchObject({ line, column });
      expect(error.exitCode).toBe(2);
    }
  });

  it.each([
    ['an entry cut at the end of its line', '{"key":"a","value":"b"}\n{"key":"c","value":"d"\n{"key":"e"}\n', 2, 23],
    ['a second value on a line', '{"key":"a","value":"b"} {"key":"c"}\n', 1, 25],
    ['a truncated last line', '{"key":"a","value":"b"}\n{"key":"c","val', 2, 16],
  ])('reports %s in JSON Lines', (_name, text, line, column) => {
    const error = syntaxError(text, 'lines');
    expect(error.details).toMatchObject({ line, column });
  });
});

/**
 * A long text with runs of 1 to 4 backslashes before quotes and letters, so that some chunk
 * boundary falls inside a run (an escaped quote must never end the string early), plus
 * characters of 2, 3 and 4 UTF-8 bytes and an escaped line break.
 */
function longText(length: number): string {
  const pieces = ['abc', '\\', '"', '\\"', '\\\\', 'é', '€', '🙂', '\n', ']}', '\\\\"x'];
  let text = '';
  for (let i = 0; text.length < length; i++) text += pieces[(i * 7) % pieces.length];
  return text;
}

describe('JsonScanner on values longer than a chunk', () => {
  const value = longText(200_000);
  const sizes = [1, 2, 3, 7, 64, 1000, 65_536];

  it('reads a long string value in chunks of any size, with the entries around it', () => {
    const text = `[\n{"key":"a","value":"v"},\n${JSON.stringify({ key: 'long', value, base64: false })},\n{"key":"z","value":1}\n]\n`;
    for (const size of sizes) {
      const { records, lines } = scan(text, 'document', size);
      expect(records, `chunks of ${size}`).toEqual([
        { key: 'a', value: 'v' },
        { key: 'long', value, base64: false },
        { key: 'z', value: 1 },
      ]);
      expect(lines, `chunks of ${size}`).toEqual([2, 3, 4]);
    }
  });

  it('reads a long string in JSON Lines, and the lines after it', () => {
    // Line 2 is the string of 4 backslashes and a quote: 9 backslashes, then the escaped quote, then the closing one.
    const text = `${JSON.stringify({ key: 'long', value })}\n"${'\\'.repeat(9)}""\n{"key":"after","value":"${value.length}"}\n`;
    for (const size of sizes) {
      const { records, lines } = scan(text, 'lines', size);
      expect(records, `chunks of ${size}`).toEqual([
        { key: 'long', value },
        `${'\\'.repeat(4)}"`,
        { key: 'after', value: String(value.length) },
      ]);
      expect(lines, `chunks of ${size}`).toEqual([1, 2, 3]);
    }
  });

  it('reads a long property name, a long nested value and a long number of a plain object', () => {
    const nested = { list: [value, { deep: value.slice(0, 5000) }], n: 1 };
    const digits = `1${'0'.repeat(30_000)}`;
    const text = `{${JSON.stringify(value)}: ${JSON.stringify(nested)},\n"n": ${digits}, "last": true}`;
    for (const size of sizes) {
      const { records, lines } = scan(text, 'document', size);
      expect(records, `chunks of ${size}`).toEqual([
        [value, nested],
        ['n', Number(digits)],
        ['last', true],
      ]);
      expect(lines, `chunks of ${size}`).toEqual([1, 2, 2]);
    }
  });

  it('reports an error after a long value with its line and column, whatever the chunks', () => {
    const text = `[\n  {"key":"long","value":${JSON.stringify(value)}} {"key":"b"}\n]`;
    const column = 3 + `{"key":"long","value":${JSON.stringify(value)}} `.length;
    for (const size of [7, 1000, 65_536]) {
      const error = syntaxError(text, 'document', size);
      expect(error.message, `chunks of ${size}`).toContain('expected "," or "]" after an entry');
      expect(error.details, `chunks of ${size}`).toMatchObject({ line: 2, column });
    }
  });

  it('reports a long string that is never closed as a truncated entry', () => {
    const error = syntaxError(`{"key":"a","value":"v"}\n{"key":"long","value":"${'x'.repeat(100_000)}`, 'lines', 4096);
    expect(error.message).toContain('the entry that starts at line 2, column 1 is not complete');
  });
});

describe('locateJsonError', () => {
  it('accepts valid JSON and points at the first bad character', () => {
    expect(locateJsonError(' {"a": [1, -2.5e3, true, null, "\\u00e9"]} ')).toBeNull();
    expect(locateJsonError('{"a": 01}')).toMatchObject({ offset: 7 });
    expect(locateJsonError('{"a" 1}')).toMatchObject({ offset: 5 });
    expect(locateJsonError('{"a": "\\x"}')).toMatchObject({ offset: 7 });
    expect(locateJsonError('[1,]')).toMatchObject({ offset: 3 });
  });

  it('points into and after a long string exactly', () => {
    const long = `${'x'.repeat(100_000)}\\"\\\\é🙂`;
    const entry = `{"key":"k","value":"${long}"`;
    expect(locateJsonError(`${entry}}`)).toBeNull();
    expect(locateJsonError(`${entry},}`)).toMatchObject({ offset: entry.length + 1, problem: 'expected a quoted property name, got "}"' });
    expect(locateJsonError(`${entry.slice(0, -1)}\tx"}`)).toMatchObject({
      offset: entry.length - 1,
      problem: expect.stringContaining('control character'),
    });
    expect(locateJsonError(`${entry.slice(0, -1)}\\q"}`)).toMatchObject({
      offset: entry.length - 1,
      problem: 'bad escape "\\q" in a string',
    });
    expect(locateJsonError(entry.slice(0, -1))).toMatchObject({ offset: 19, problem: 'a string is not closed (missing ")' });
  });
});
