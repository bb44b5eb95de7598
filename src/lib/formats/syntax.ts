/**
 * Syntax errors in bulk input files, and finding where a JSON text goes wrong.
 * JSON.parse says *that* a text is broken, not reliably *where* (V8's messages vary by
 * version), so on the error path a small strict parser locates the first bad character.
 */
import { ExitCode, KvadmError } from '../errors.js';

/** A file that cannot be read as its format: exit 2, nothing written. */
export class InputSyntaxError extends KvadmError {
  constructor(
    source: string,
    line: number,
    column: number | string,
    problem: string,
    hint = 'fix the file and import again; nothing was written',
  ) {
    const where = typeof column === 'number' ? `line ${line}, column ${column}` : `line ${line}, ${column}`;
    super('SYNTAX_ERROR', `syntax error in ${source} at ${where}: ${problem}`, {
      exitCode: ExitCode.usage,
      hint,
      details: { source, line, column },
    });
  }
}

export interface JsonErrorLocation {
  /** Offset (UTF-16 code units) of the first character that makes the text invalid. */
  offset: number;
  problem: string;
}

class Located extends Error {
  constructor(
    readonly offset: number,
    readonly problem: string,
  ) {
    super(problem);
  }
}

const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
/** A run of string characters that need no look: not a quote, a backslash or a control character. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what the run must stop at
const PLAIN_RUN = /[^"\\\u0000-\u001f]*/y;

/** Where one JSON value (with optional surrounding whitespace) is invalid; null when it is valid. */
export function locateJsonError(text: string): JsonErrorLocation | null {
  let i = 0;
  const n = text.length;
  const fail = (problem: string, at = i): never => {
    throw new Located(at, problem);
  };
  const shown = (at: number): string => (at >= n ? 'the end of the entry' : JSON.stringify(text[at]));
  const skipWhitespace = (): void => {
    for (;;) {
      const c = text.charCodeAt(i);
      if (c === 32 || c === 9 || c === 10 || c === 13) i++;
      else return;
    }
  };
  const string = (): void => {
    const start = i;
    i++;
    for (;;) {
      // Skip plain characters natively: a long string costs one pass, not a call per character.
      PLAIN_RUN.lastIndex = i;
      PLAIN_RUN.test(text);
      i = PLAIN_RUN.lastIndex;
      if (i >= n) fail('a string is not closed (missing ")', start);
      const c = text.charCodeAt(i);
      if (c === 34) {
        i++;
        return;
      }
      if (c === 92) {
        const e = text[i + 1];
        if (e === 'u') {
          if (!/^[0-9a-fA-F]{4}$/.test(text.slice(i + 2, i + 6))) fail('bad \\u escape: it needs 4 hex digits');
          i += 6;
        } else if (e !== undefined && '"\\/bfnrt'.includes(e)) {
          i += 2;
        } else {
          fail(`bad escape "\\${e ?? ''}" in a string`);
        }
        continue;
      }
      if (c < 32) fail('a raw control character (such as a line break) inside a string: write it as \\n, \\t or \\u00XX');
      i++;
    }
  };
  /** The members of an object or array (at its opening bracket) up to `close`, comma-separated. */
  const members = (close: string, what: string, member: () => void): void => {
    i++;
    skipWhitespace();
    if (text[i] === close) {
      i++;
      return;
    }
    for (;;) {
      member();
      skipWhitespace();
      if (text[i] === ',') {
        i++;
        continue;
      }
      if (text[i] === close) {
        i++;
        return;
      }
      fail(`expected "," or "${close}" in ${what}, got ${shown(i)}`);
    }
  };
  const property = (): void => {
    skipWhitespace();
    if (text[i] !== '"') fail(`expected a quoted property name, got ${shown(i)}`);
    string();
    skipWhitespace();
    if (text[i] !== ':') fail(`expected ":" after the property name, got ${shown(i)}`);
    i++;
    value();
  };
  const value = (): void => {
    skipWhitespace();
    if (i >= n) fail('a value is missing (the entry ends too early)');
    const c = text[i];
    if (c === '{') {
      members('}', 'an object', property);
      return;
    }
    if (c === '[') {
      members(']', 'an array', value);
      return;
    }
    if (c === '"') {
      string();
      return;
    }
    if (c === '-' || (c !== undefined && c >= '0' && c <= '9')) {
      NUMBER.lastIndex = i;
      if (!NUMBER.test(text)) fail(`bad number`);
      i = NUMBER.lastIndex;
      return;
    }
    for (const literal of ['true', 'false', 'null']) {
      if (text.startsWith(literal, i)) {
        i += literal.length;
        return;
      }
    }
    fail(`unexpected ${shown(i)}: expected a value (object, array, string, number, true, false or null)`);
  };
  try {
    value();
    skipWhitespace();
    if (i < n) fail(`unexpected ${shown(i)} after the end of the value`);
    return null;
  } catch (error) {
    if (error instanceof Located) return { offset: error.offset, problem: error.problem };
    throw error;
  }
}

/** Line and column (1-based) of `offset` in `text`, which starts at `line`, `column`. */
export function positionIn(text: string, offset: number, line: number, column: number): { line: number; column: number } {
  let lastBreak = -1;
  for (let i = text.indexOf('\n'); i !== -1 && i < offset; i = text.indexOf('\n', i + 1)) {
    line++;
    lastBreak = i;
  }
  return lastBreak === -1 ? { line, column: column + offset } : { line, column: offset - lastBreak };
}
