/**
 * A streaming RFC 4180 reader: text goes in a piece at a time (`push`), complete records
 * come out (`take`) as arrays of strings with the line each starts on; the first record (the
 * header) goes to a callback.
 *
 * - Fields are separated by the delimiter (one character, as --delimiter allows) and records
 *   by LF or CRLF. Only those end a record: a lone CR is an ordinary character of an
 *   unquoted field (as csv-parse treated it in a file with LF or CRLF line breaks).
 * - A quoted field may hold the delimiter, line breaks (counted for line numbers) and `""`
 *   for a quote. After its closing quote comes the delimiter or the end of the record,
 *   else it is an error; so is a quote inside an unquoted field.
 * - Every record needs as many fields as the first one (the header).
 * - Empty lines (LF or CRLF alone) are skipped, between records or at the end; a line of
 *   spaces is a record of one field. A UTF-8 byte-order mark at the start is skipped.
 * - Errors are InputSyntaxErrors naming the line and column (1-based; the column counts
 *   characters, i.e. Unicode code points, on that line).
 *
 * Records without a quote are cut with one `indexOf` for the line break and a `split`;
 * records with one are read field by field with `indexOf`. A record is only parsed once it
 * is complete (its line break has arrived), so a CRLF, a `""` or a multi-byte character cut
 * by a chunk boundary needs no special case; the text held is the record being read (an
 * incomplete record is tried again once the text held has doubled, so a huge quoted value
 * costs linear time, not quadratic).
 */
import { LARGE_VALUE_CHARS, collectGarbage } from '../memory.js';
import { InputSyntaxError } from './syntax.js';

const QUOTE = 34;
const NEWLINE = 10;
const CR = 13;
/** `record()`'s answer when the text ends before the record does. */
const INCOMPLETE = -1;

export class CsvScanner {
  private buf = '';
  /** Next character to read (index into buf): always the start of a line and a record. */
  private pos = 0;
  /** The line of buf[pos]. */
  private line = 1;
  /** Do not scan before buf is this long (an incomplete record is waiting for more text). */
  private retryAt = 0;
  private started = false;
  /** Fields per record: the header's count; -1 before the header. */
  private width = -1;
  private records: string[][] = [];
  private lines: number[] = [];
  // Set by record(): the fields of the record just read and the line after it.
  private fields: string[] = [];
  private nextLine = 0;

  /** `header` receives the first record (which take() does not return), and may throw. */
  constructor(
    private readonly delimiter: string,
    private readonly source: string,
    private readonly header: (fields: string[], line: number) => void,
  ) {}

  /** Scan more input. Throws InputSyntaxError on a syntax error. */
  push(text: string): void {
    if (!this.started) {
      if (text === '') return;
      this.started = true;
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    }
    this.buf = this.pos > 0 ? this.buf.slice(this.pos) + text : this.buf + text;
    this.pos = 0;
    if (this.buf.length >= this.retryAt) this.scan(false);
  }

  /** The input is complete: reads the last record (which needs no line break). */
  end(): void {
    this.scan(true);
    this.buf = '';
    this.pos = 0;
  }

  /** Records found since the last call, with the line each starts on; null when none. */
  take(): { records: string[][]; lines: number[] } | null {
    if (this.records.length === 0) return null;
    const found = { records: this.records, lines: this.lines };
    this.records = [];
    this.lines = [];
    return found;
  }

  private scan(final: boolean): void {
    const buf = this.buf;
    const n = buf.length;
    const delimiter = this.delimiter;
    let pos = this.pos;
    let line = this.line;
    let quote = buf.indexOf('"', pos);
    if (quote === -1) quote = n;
    while (pos < n) {
      let newline = buf.indexOf('\n', pos);
      if (quote < (newline === -1 ? n : newline)) {
        // A quote before the line break: read this record field by field.
        const next = this.record(pos, line, final);
        if (next === INCOMPLETE) break;
        if (this.fields.length !== this.width) this.accept(this.fields, line, pos);
        else {
          this.records.push(this.fields);
          this.lines.push(line);
        }
        // A long record was held as text that doubled again and again (see push): those
        // copies are garbage now, freed before the value is copied into an entry (memory.ts).
        if (next - pos >= LARGE_VALUE_CHARS) collectGarbage();
        pos = next;
        line = this.nextLine;
        quote = buf.indexOf('"', pos);
        if (quote === -1) quote = n;
        continue;
      }
      if (newline === -1) {
        if (!final) break;
        newline = n;
      }
      const stop = newline < n && newline > pos && buf.charCodeAt(newline - 1) === CR ? newline - 1 : newline;
      if (stop > pos) {
        const fields = buf.slice(pos, stop).split(delimiter);
        if (fields.length !== this.width) this.accept(fields, line, pos);
        else {
          this.records.push(fields);
          this.lines.push(line);
        }
      }
      pos = newline + 1;
      line++;
    }
    if (pos >= n) {
      this.buf = '';
      pos = 0;
    }
    this.pos = pos;
    this.line = line;
    // Wait for the held text (one incomplete record) to double before reading it again.
    this.retryAt = 2 * (this.buf.length - pos);
  }

  /** A record whose field count differs from the width: the header, or an error. */
  private accept(fields: string[], line: number, start: number): void {
    if (this.width !== -1) this.widthError(fields.length, line, start);
    this.header(fields, line);
    this.width = fields.length;
  }

  /**
   * Read the record at `start` (on `line`) field by field into this.fields; answers the
   * index after its line break (this.nextLine is the line there), or INCOMPLETE when the
   * text ends first and more may come.
   */
  private record(start: number, line: number, final: boolean): number {
    const buf = this.buf;
    const n = buf.length;
    const delimiter = this.delimiter;
    const fields: string[] = [];
    let p = start;
    let lineStart = start;
    for (;;) {
      if (buf.charCodeAt(p) === QUOTE) {
        const open = p;
        // Quotes inside are all doubled; they are undone in one pass at the end (appending
        // the pieces between them made a rope of thousands of strings for a long value).
        let doubled = false;
        let from = p + 1;
        for (;;) {
          const q = buf.indexOf('"', from);
          if (q === -1) {
            if (!final) return INCOMPLETE;
            let last = line;
            for (let i = buf.indexOf('\n', open); i !== -1 && i < n - 1; i = buf.indexOf('\n', i + 1)) last++;
            this.fail(
              line,
              lineStart,
              open,
              `a quoted field is never closed: the quote opened here runs to the end of the input (line ${last}); is a closing " missing?`,
            );
          }
          if (q + 1 === n && !final) return INCOMPLETE; // `"` or the first half of `""`?
          if (buf.charCodeAt(q + 1) === QUOTE) {
            doubled = true;
            from = q + 2;
            continue;
          }
          p = q + 1;
          break;
        }
        const value = doubled ? buf.slice(open + 1, p - 1).replaceAll('""', '"') : buf.slice(open + 1, p - 1);
        for (let i = buf.indexOf('\n', open + 1); i !== -1 && i < p; i = buf.indexOf('\n', i + 1)) {
          line++;
          lineStart = i + 1;
        }
        fields.push(value);
        if (p === n) break;
        if (buf.startsWith(delimiter, p)) {
          p += delimiter.length;
          continue;
        }
        const c = buf.charCodeAt(p);
        if (c === NEWLINE) {
          p++;
          break;
        }
        if (c === CR && p + 1 === n && !final) return INCOMPLETE;
        if (c === CR && buf.charCodeAt(p + 1) === NEWLINE) {
          p += 2;
          break;
        }
        this.fail(
          line,
          lineStart,
          p,
          `a closing quote is followed by ${JSON.stringify(String.fromCodePoint(buf.codePointAt(p) as number))}: after a quoted field comes the delimiter or the end of the line; inside a quoted field write a quote as "" (two quotes)`,
        );
      }
      let newline = buf.indexOf('\n', p);
      if (newline === -1) {
        if (!final) return INCOMPLETE;
        newline = n;
      }
      const next = buf.indexOf(delimiter, p);
      const stop = next !== -1 && next < newline ? next : newline;
      const quote = buf.indexOf('"', p);
      if (quote !== -1 && quote < stop) {
        this.fail(
          line,
          lineStart,
          quote,
          'a quote inside an unquoted field: quote the whole field and double the quotes inside it (a"b is written "a""b")',
        );
      }
      if (stop === next) {
        fields.push(buf.slice(p, stop));
        p = stop + delimiter.length;
        continue;
      }
      fields.push(buf.slice(p, stop > p && stop < n && buf.charCodeAt(stop - 1) === CR ? stop - 1 : stop));
      p = newline < n ? newline + 1 : n;
      break;
    }
    this.fields = fields;
    this.nextLine = line + 1;
    return p;
  }

  /** The error for a record of `count` fields starting at `start` (on `line`). */
  private widthError(count: number, line: number, start: number): never {
    const buf = this.buf;
    const expected = this.width;
    const first = line;
    // Where it goes wrong: the delimiter before the first extra field, or the end of the record.
    let at = start;
    let lineStart = start;
    let fields = 1;
    let quoted = false;
    for (; at < buf.length; at++) {
      const c = buf.charCodeAt(at);
      if (c === QUOTE) quoted = !quoted;
      else if (c === NEWLINE && !quoted) break;
      else if (c === NEWLINE) {
        line++;
        lineStart = at + 1;
      } else if (!quoted && buf.startsWith(this.delimiter, at) && ++fields > expected) break;
    }
    if (at > lineStart && buf.charCodeAt(at - 1) === CR && buf.charCodeAt(at) === NEWLINE) at--;
    const record = line === first ? 'the record' : `the record (from line ${first})`;
    const plural = (k: number): string => `${k} field${k === 1 ? '' : 's'}`;
    const problem = count > expected ? `${record} has ${plural(count)}` : `${record} ends after ${plural(count)}`;
    return this.fail(line, lineStart, at, `${problem} but the header has ${expected}: every record needs as many fields as the header`);
  }

  private fail(line: number, lineStart: number, at: number, problem: string): never {
    const column = [...this.buf.slice(lineStart, at)].length + 1;
    throw new InputSyntaxError(this.source, line, column, problem);
  }
}
