/**
 * An incremental scanner that finds where each entry of a JSON document starts and ends
 * without parsing it, so a file of any size is read in bounded memory:
 *
 * - `document` mode: a top-level array `[entry, ...]` or a plain object `{"key": value, ...}`;
 * - `lines` mode (JSON Lines): one value a line.
 *
 * It tracks strings (to ignore brackets inside them), bracket nesting and line numbers,
 * and reports structural errors (missing commas, truncation, text after the end) with
 * their line and column. The entries it finds are parsed in batches with one
 * JSON.parse call: much faster than one call each. When a batch does not parse, each
 * entry is parsed on its own and the broken one is located precisely.
 *
 * Each character is looked at once, whatever the chunk boundaries: the scanner holds only
 * the chunk being scanned, and an entry that spans chunks keeps its earlier pieces in a
 * list that is joined once when the entry ends (appending chunk to chunk and scanning the
 * result made one 25 MiB value cost time quadratic in its length).
 *
 * Over 350 lines on purpose: it is one state machine (strings, nesting, separators, lines)
 * in one class, whose transitions read best in one place; batching and error location
 * already live apart (syntax.ts), and its scan loop is the import's hottest code.
 */
import { LARGE_VALUE_CHARS, collectGarbage } from '../memory.js';
import { InputSyntaxError, locateJsonError, positionIn } from './syntax.js';

export type JsonScanMode = 'document' | 'lines';

/** What the scanner found: entries of an array or of JSON Lines, or key/value pairs of an object. */
export type JsonShape = 'entries' | 'pairs';

export interface JsonBatch {
  shape: JsonShape;
  /** Parsed values (entries), or [key, value] pairs. */
  records: unknown[];
  /** 1-based line where each record starts. */
  lines: number[];
}

// Scanner states between values.
const START = 0;
const ARRAY_VALUE_OR_END = 1;
const ARRAY_VALUE = 2;
const ARRAY_AFTER = 3;
const OBJECT_KEY_OR_END = 4;
const OBJECT_KEY = 5;
const OBJECT_COLON = 6;
const OBJECT_VALUE = 7;
const OBJECT_AFTER = 8;
const DONE = 9;
const LINES_VALUE = 10;
const LINES_AFTER = 11;

const QUOTE = 34;
const BACKSLASH = 92;
const NEWLINE = 10;

function isSpace(c: number): boolean {
  return c === 32 || c === 9 || c === 13 || c === NEWLINE;
}

function describe(c: string): string {
  if (c === '') return 'the end of the input';
  return JSON.stringify(c);
}

export class JsonScanner {
  /** The chunk being scanned. */
  private buf = '';
  /** Next character to look at (index into buf). */
  private pos = 0;
  /** Absolute offset of buf[0] in the whole input. */
  private base = 0;
  private line = 1;
  /** Absolute offset where the current line starts. */
  private lineStart = 0;
  private state: number;
  private shapeFound: JsonShape = 'entries';

  // The value being scanned: start index in buf (-1 when none; 0 when it began in an earlier
  // chunk), its text in earlier chunks, where it began, how deep.
  private valueStart = -1;
  private valueParts: string[] = [];
  private valueLine = 0;
  private valueColumn = 0;
  private readonly closers: number[] = [];
  private inString = false;
  /**
   * In a string: backslashes at or before this index of buf do not escape what follows (the
   * opening quote's index, or 0 when buf[0] is a character escaped from the chunk before).
   */
  private stringStart = -1;
  /** In a string, the chunk before ended with an unpaired backslash: buf[0] is escaped. */
  private escapeCarried = false;
  private primitive = false;
  /** In object mode, the value being scanned is a property name. */
  private scanningKey = false;
  private pendingKey = '';
  private pendingKeyLine = 0;
  private pendingKeyColumn = 0;

  // Found since the last take().
  private texts: string[] = [];
  private keys: string[] = [];
  /** Where each record starts (the key, for pairs). */
  private lines: number[] = [];
  private valueLines: number[] = [];
  private valueColumns: number[] = [];
  private keyColumns: number[] = [];

  constructor(
    private readonly mode: JsonScanMode,
    private readonly source: string,
  ) {
    this.state = mode === 'lines' ? LINES_VALUE : START;
  }

  /** Scan more input. Throws InputSyntaxError on a structural error. */
  push(text: string): void {
    if (text === '') return;
    // scan() always reads buf to its end: only an unfinished value carries over.
    if (this.valueStart >= 0) {
      this.valueParts.push(this.buf.slice(this.valueStart));
      this.valueStart = 0;
    }
    this.base += this.buf.length;
    this.buf = text;
    this.pos = 0;
    if (this.inString) {
      this.stringStart = -1;
      if (this.escapeCarried) {
        this.escapeCarried = false;
        this.stringStart = 0;
        this.pos = 1;
      }
    }
    this.scan();
  }

  /** The input is complete: throws when it ends in the middle of something. */
  end(): void {
    if (this.valueStart >= 0) {
      if (this.primitive) {
        this.complete(this.buf.length);
      } else {
        this.fail(
          this.buf.length,
          `unexpected end of the input: the ${this.scanningKey ? 'property name' : 'entry'} that starts at line ${this.valueLine}, column ${this.valueColumn} is not complete (is the file truncated?)`,
        );
      }
    }
    switch (this.state) {
      case DONE:
      case LINES_VALUE:
      case LINES_AFTER:
        return;
      case START:
        this.fail(this.buf.length, 'the input is empty: expected a JSON array of entries "[...]" or an object "{...}"');
        break;
      default:
        this.fail(
          this.buf.length,
          `unexpected end of the input: the top-level ${this.shapeFound === 'pairs' ? 'object is not closed with "}"' : 'array is not closed with "]"'} (is the file truncated?)`,
        );
    }
  }

  /** Parse and return what was found since the last call; null when nothing. */
  take(): JsonBatch | null {
    if (this.texts.length === 0) return null;
    const values = this.parseAll(this.texts, this.valueLines, this.valueColumns);
    let records: unknown[] = values;
    if (this.shapeFound === 'pairs') {
      const keys = this.parseAll(this.keys, this.lines, this.keyColumns) as string[];
      records = keys.map((key, i) => [key, values[i]]);
    }
    const large = this.texts.length === 1 && (this.texts[0] as string).length >= LARGE_VALUE_CHARS;
    const batch: JsonBatch = { shape: this.shapeFound, records, lines: this.lines };
    this.texts = [];
    this.keys = [];
    this.lines = [];
    this.valueLines = [];
    this.valueColumns = [];
    this.keyColumns = [];
    // The large entry's text is garbage now that it is parsed: free it before its value is copied again.
    if (large) collectGarbage();
    return batch;
  }

  private parseAll(texts: string[], lines: number[], columns: number[]): unknown[] {
    try {
      // One text (a large entry fills a batch alone) is parsed as it is: wrapping it would copy it.
      if (texts.length === 1) return [JSON.parse(texts[0] as string)];
      const values = JSON.parse(`[${texts.join(',')}]`) as unknown[];
      if (values.length === texts.length) return values;
    } catch {
      // Find which one is broken, below.
    }
    return texts.map((text, i) => {
      try {
        return JSON.parse(text);
      } catch (cause) {
        const located = locateJsonError(text);
        const line = lines[i] as number;
        const column = columns[i] as number;
        if (!located) throw cause;
        const at = positionIn(text, located.offset, line, column);
        throw new InputSyntaxError(this.source, at.line, at.column, located.problem);
      }
    });
  }

  private fail(index: number, problem: string): never {
    const absolute = this.base + index;
    throw new InputSyntaxError(this.source, this.line, absolute - this.lineStart + 1, problem);
  }

  private scan(): void {
    const buf = this.buf;
    const n = buf.length;
    while (this.pos < n) {
      if (this.valueStart >= 0) {
        if (!this.scanValue()) return;
        continue;
      }
      const c = buf.charCodeAt(this.pos);
      if (c === NEWLINE) {
        this.line++;
        this.lineStart = this.base + this.pos + 1;
        this.pos++;
        if (this.state === LINES_AFTER) this.state = LINES_VALUE;
        continue;
      }
      if (c === 32 || c === 9 || c === 13 || (c === 0xfeff && this.base + this.pos === 0)) {
        this.pos++;
        continue;
      }
      switch (this.state) {
        case START:
          if (c === 91) {
            this.state = ARRAY_VALUE_OR_END;
          } else if (c === 123) {
            this.state = OBJECT_KEY_OR_END;
            this.shapeFound = 'pairs';
          } else {
            this.fail(this.pos, `expected a JSON array of entries "[...]" or an object "{...}", got ${describe(buf[this.pos] as string)}`);
          }
          this.pos++;
          break;
        case ARRAY_VALUE_OR_END:
          if (c === 93) {
            this.state = DONE;
            this.pos++;
          } else {
            this.startValue(c);
          }
          break;
        case ARRAY_VALUE:
          if (c === 93) this.fail(this.pos, 'unexpected "]" after ",": a trailing comma is not allowed in JSON');
          this.startValue(c);
          break;
        case ARRAY_AFTER:
          this.after(c, ARRAY_VALUE, 93, '"," or "]" after an entry');
          break;
        case OBJECT_KEY_OR_END:
        case OBJECT_KEY:
          if (c === 125 && this.state === OBJECT_KEY_OR_END) {
            this.state = DONE;
            this.pos++;
          } else if (c === QUOTE) {
            this.scanningKey = true;
            this.startValue(c);
          } else if (c === 125) {
            this.fail(this.pos, 'unexpected "}" after ",": a trailing comma is not allowed in JSON');
          } else {
            this.fail(this.pos, `expected a quoted key, got ${describe(buf[this.pos] as string)}`);
          }
          break;
        case OBJECT_COLON:
          if (c !== 58) this.fail(this.pos, `expected ":" after the key, got ${describe(buf[this.pos] as string)}`);
          this.state = OBJECT_VALUE;
          this.pos++;
          break;
        case OBJECT_VALUE:
        case LINES_VALUE:
          this.startValue(c);
          break;
        case OBJECT_AFTER:
          this.after(c, OBJECT_KEY, 125, '"," or "}" after a value');
          break;
        case LINES_AFTER:
          this.fail(this.pos, `unexpected ${describe(buf[this.pos] as string)} after the entry: JSON Lines has one entry a line`);
          break;
        default:
          this.fail(this.pos, `unexpected ${describe(buf[this.pos] as string)} after the end of the JSON document`);
      }
    }
  }

  /** After a member of the top-level array or object: a comma (then `next`), or its closing bracket. */
  private after(c: number, next: number, close: number, expected: string): void {
    if (c === 44) this.state = next;
    else if (c === close) this.state = DONE;
    else this.fail(this.pos, `expected ${expected}, got ${describe(this.buf[this.pos] as string)}`);
    this.pos++;
  }

  private startValue(c: number): void {
    this.valueStart = this.pos;
    this.valueLine = this.line;
    this.valueColumn = this.base + this.pos - this.lineStart + 1;
    if (c === 123 || c === 91) {
      this.closers.push(c + 2); // '{' → '}', '[' → ']'
      this.pos++;
    } else if (c === QUOTE) {
      this.inString = true;
      this.stringStart = this.pos;
      this.pos++;
    } else if (c === 45 || (c >= 48 && c <= 57) || c === 116 || c === 102 || c === 110) {
      this.primitive = true;
    } else {
      this.valueStart = -1;
      this.fail(this.pos, `unexpected ${describe(this.buf[this.pos] as string)}: expected an entry`);
    }
  }

  /** Advance through the current value; false when the buffer ends first. */
  private scanValue(): boolean {
    const buf = this.buf;
    const n = buf.length;
    if (this.inString) {
      let q = buf.indexOf('"', this.pos);
      while (q !== -1 && this.escapes(q)) q = buf.indexOf('"', q + 1);
      if (q === -1) {
        this.escapeCarried = this.pos < n && this.escapes(n);
        this.pos = n;
        return false;
      }
      this.pos = q + 1;
      this.inString = false;
      if (this.closers.length === 0) this.complete(this.pos);
      return true;
    }
    if (this.primitive) {
      while (this.pos < n) {
        const c = buf.charCodeAt(this.pos);
        if (c === 44 || c === 93 || c === 125 || isSpace(c)) {
          this.complete(this.pos);
          return true;
        }
        this.pos++;
      }
      return false;
    }
    const closers = this.closers;
    while (this.pos < n) {
      const c = buf.charCodeAt(this.pos);
      if (c === QUOTE) {
        this.inString = true;
        this.stringStart = this.pos;
        this.pos++;
        return true;
      }
      if (c === 123 || c === 91) {
        closers.push(c + 2);
      } else if (c === 125 || c === 93) {
        if (closers.pop() !== c) this.fail(this.pos, `unexpected ${describe(buf[this.pos] as string)}: brackets do not match`);
        if (closers.length === 0) {
          this.pos++;
          this.complete(this.pos);
          return true;
        }
      } else if (c === NEWLINE) {
        if (this.mode === 'lines') {
          this.fail(
            this.pos,
            `the entry that starts at line ${this.valueLine} is not complete at the end of the line (JSON Lines has one entry a line)`,
          );
        }
        this.line++;
        this.lineStart = this.base + this.pos + 1;
      }
      this.pos++;
    }
    return false;
  }

  /** In a string: is the character at `index` of buf (or the one after buf, at its length) escaped? */
  private escapes(index: number): boolean {
    const buf = this.buf;
    let b = index - 1;
    while (b > this.stringStart && buf.charCodeAt(b) === BACKSLASH) b--;
    return (index - 1 - b) % 2 === 1;
  }

  private complete(end: number): void {
    let text = this.buf.slice(this.valueStart, end);
    if (this.valueParts.length > 0) {
      this.valueParts.push(text);
      text = this.valueParts.join('');
      this.valueParts = [];
      // The pieces are garbage now: free them before JSON.parse makes another copy.
      if (text.length >= LARGE_VALUE_CHARS) collectGarbage();
    }
    this.valueStart = -1;
    this.primitive = false;
    if (this.scanningKey) {
      this.scanningKey = false;
      this.pendingKey = text;
      this.pendingKeyLine = this.valueLine;
      this.pendingKeyColumn = this.valueColumn;
      this.state = OBJECT_COLON;
      return;
    }
    this.texts.push(text);
    this.valueLines.push(this.valueLine);
    this.valueColumns.push(this.valueColumn);
    if (this.state === OBJECT_VALUE) {
      this.keys.push(this.pendingKey);
      this.lines.push(this.pendingKeyLine);
      this.keyColumns.push(this.pendingKeyColumn);
      this.state = OBJECT_AFTER;
    } else {
      this.lines.push(this.valueLine);
      this.state = this.mode === 'lines' ? LINES_AFTER : ARRAY_AFTER;
    }
  }
}
