/**
 * Key names as text, one a record: what `kv list` prints when piped and what
 * `kv delete --from-file` reads back, so the two always agree on which keys were meant.
 *
 * - Lines (the default): one key a line, as is, except a key that would not read back as
 *   itself: one holding a line break or another control character (U+0000-U+001F,
 *   U+007F-U+009F), a Unicode line or paragraph separator, or starting with a double quote
 *   or a byte-order mark. Such a key is printed as a JSON string ("tmp:x\nline1"), as
 *   `git ls-files` quotes unusual paths, and a line that starts with a double quote is read
 *   as one. Quoting rather than refusing keeps a pipeline whole: a refusal half-way
 *   through a listing would leave the reader with the keys printed so far.
 * - NUL-separated (`-0`, as `find -print0` and `xargs -0`): every key as is, each followed
 *   by a NUL. A key containing a NUL has no such form and is never printed.
 */
import { isUtf8 } from 'node:buffer';
import type { ByteChunks } from './formats/types.js';
import { UsageError } from './errors.js';
import { LIMITS } from './limits.js';

export type KeySeparator = 'lines' | 'null';

/** A key that a plain line cannot carry as is: see the module comment. */
const NEEDS_QUOTING = /[\p{Cc}\u2028\u2029]|^["\ufeff]/u;
/** Characters that must not appear raw in a quoted line (JSON.stringify escapes only U+0000-U+001F). */
const ESCAPE_TOO = /[\p{Cc}\u2028\u2029\ufeff]/gu;

export function needsQuoting(key: string): boolean {
  return NEEDS_QUOTING.test(key);
}

/** The line that stands for `key` (without its line break). */
export function keyLine(key: string): string {
  if (!NEEDS_QUOTING.test(key)) return key;
  return JSON.stringify(key).replace(ESCAPE_TOO, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** Whether `key` can be printed NUL-separated (a NUL would split it). */
export function fitsNullSeparated(key: string): boolean {
  return !key.includes('\0');
}

/** A line of a key list that does not stand for a key. */
export class KeyLineError extends Error {
  constructor(
    readonly code: 'KEY_LINE_INVALID' | 'NOT_UTF8' | 'KEY_TOO_LONG',
    message: string,
  ) {
    super(message);
  }
}

/** The key a line stands for: the line itself, or the JSON string it holds when it starts with ". */
export function parseKeyLine(line: string): string {
  if (line.charCodeAt(0) !== 0x22) return line;
  let key: unknown;
  try {
    key = JSON.parse(line);
  } catch {
    key = undefined;
  }
  if (typeof key !== 'string') {
    throw new KeyLineError(
      'KEY_LINE_INVALID',
      `a line starting with a double quote must be one JSON string (a quoted key, as kv list prints it), got ${line.length > 60 ? `${line.slice(0, 60)}…` : line}`,
    );
  }
  return key;
}

/** One record of a key list: its text (a line without its line break, or a NUL-separated name) and where it is. */
export interface KeyRecord {
  text: string;
  /** 1-based line (or, NUL-separated, record) number. */
  line: number;
  /** Set when the record's bytes are not UTF-8: no key can be named by them. */
  error?: KeyLineError;
}

const NEWLINE = 0x0a;
const CR = 0x0d;
const BOM = Buffer.from([0xef, 0xbb, 0xbf]);

/**
 * The records of a key list, a batch a chunk, cut at the byte level so each is checked to
 * be UTF-8 on its own (a key read as U+FFFD replacements would name another key). Lines:
 * a byte-order mark at the start and one trailing CR are dropped (files written on
 * Windows); empty records are skipped in both forms (a key is never empty).
 */
export async function* keyRecords(chunks: ByteChunks, separator: KeySeparator): AsyncIterable<KeyRecord[]> {
  const stop = separator === 'lines' ? NEWLINE : 0;
  // The record being cut: its pieces from earlier chunks, joined once when it ends (joining
  // on every chunk made one long line cost quadratic time). Past RECORD_MAX_BYTES only its
  // length is counted: no key is that long, and `--from-file /dev/zero` must not fill memory.
  let pieces: Buffer[] = [];
  let pending = 0;
  let line = 0;
  let first = true;
  const take = (piece: Buffer): void => {
    if (pending <= RECORD_MAX_BYTES) pieces.push(piece.subarray(0, RECORD_MAX_BYTES + 1 - pending));
    pending += piece.length;
    // An endless record (`--from-file /dev/zero`) would be read for ever: give up on it.
    if (pending > RECORD_ABANDON_BYTES) {
      throw new UsageError(
        `record ${line + 1} of the key list runs past ${RECORD_ABANDON_BYTES} bytes without a ${separator === 'lines' ? 'line break' : 'NUL'}: this is not a key list (a key is at most ${LIMITS.keyMaxBytes} bytes); nothing was deleted`,
        separator === 'lines'
          ? 'give one key a line, or -0 for NUL-separated keys'
          : 'give NUL-separated keys, or leave out -0 for one key a line',
      );
    }
  };
  const end = (found: KeyRecord[]): void => {
    line++;
    if (pending > RECORD_MAX_BYTES) found.push(tooLong(pending, line));
    else {
      let bytes = pieces.length === 1 ? (pieces[0] as Buffer) : Buffer.concat(pieces);
      if (separator === 'lines' && bytes[bytes.length - 1] === CR) bytes = bytes.subarray(0, -1);
      if (bytes.length > 0) found.push(record(bytes, line));
    }
    pieces = [];
    pending = 0;
  };
  let held: Buffer | undefined;
  for await (const chunk of chunks) {
    let bytes = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk;
    if (first) {
      bytes = held ? Buffer.concat([held, bytes]) : bytes;
      // Too short to tell whether a byte-order mark starts the input: wait for more.
      if (bytes.length < BOM.length && BOM.subarray(0, bytes.length).equals(bytes)) {
        held = bytes;
        continue;
      }
      first = false;
      held = undefined;
      if (separator === 'lines' && bytes.subarray(0, BOM.length).equals(BOM)) bytes = bytes.subarray(BOM.length);
    }
    const found: KeyRecord[] = [];
    let start = 0;
    for (let at = bytes.indexOf(stop); at !== -1; at = bytes.indexOf(stop, start)) {
      take(bytes.subarray(start, at));
      end(found);
      start = at + 1;
    }
    // A piece of a chunk would keep the whole chunk alive: copy what is carried over.
    if (start < bytes.length) take(Buffer.from(bytes.subarray(start)));
    if (found.length > 0) yield found;
  }
  if (held) take(held);
  if (pending > 0) {
    const found: KeyRecord[] = [];
    end(found);
    yield found;
  }
}

/**
 * The longest record that may still name a key: a key of 512 bytes quoted with every byte
 * escaped (\u00XX) plus its quotes and a CR. Anything longer is refused by its length.
 */
const RECORD_MAX_BYTES = LIMITS.keyMaxBytes * 6 + 3;
/** A record this long is no mistyped key but the wrong input: reading stops there. */
const RECORD_ABANDON_BYTES = 4 * 1024 * 1024;

function tooLong(bytes: number, line: number): KeyRecord {
  return {
    text: '',
    line,
    error: new KeyLineError(
      'KEY_TOO_LONG',
      `the record is ${bytes} bytes, longer than any key can be written (keys are at most ${LIMITS.keyMaxBytes} bytes) [limit ${LIMITS.keyMaxBytes}, actual ${bytes}]`,
    ),
  };
}

function record(bytes: Buffer, line: number): KeyRecord {
  const text = bytes.toString('utf8');
  // U+FFFD may be a real character of a key: only then check the bytes themselves.
  if (text.includes('\ufffd') && !isUtf8(bytes)) {
    return { text, line, error: new KeyLineError('NOT_UTF8', 'the bytes are not valid UTF-8 text, so they name no key') };
  }
  return { text, line };
}
