/**
 * Writing to the terminal: data to stdout (bytes exactly, with backpressure), messages
 * to stderr, tables that fit the terminal width. Colour only on a TTY without NO_COLOR.
 */
import type { Writable } from 'node:stream';
import { graphemes, truncateText } from '../words.js';

export function isTTY(stream: NodeJS.WriteStream | NodeJS.ReadStream = process.stdout): boolean {
  return Boolean(stream.isTTY);
}

export function useColor(stream: NodeJS.WriteStream = process.stderr): boolean {
  return isTTY(stream) && !('NO_COLOR' in process.env) && process.env.TERM !== 'dumb';
}

/** Write and wait until the stream has taken the data (so a following exit loses nothing). */
export function writeFully(stream: Writable, data: string | Uint8Array): Promise<void> {
  // The callback runs once the data is handed to the OS, so exiting right after loses nothing.
  return new Promise((resolve, reject) => {
    stream.write(data, (error) => (error ? reject(error) : resolve()));
  });
}

export function writeStdout(data: string | Uint8Array): Promise<void> {
  return writeFully(process.stdout, data);
}

export function warn(message: string): void {
  const prefix = useColor() ? '\u001b[33mwarning:\u001b[39m' : 'warning:';
  process.stderr.write(`${prefix} ${message}\n`);
}

/**
 * Cut text to `width` characters with an ellipsis, never splitting a character; newlines and
 * tabs shown escaped so rows stay one line.
 */
export function truncate(text: string, width: number): string {
  const flat = text.replace(/\r/g, '\\r').replace(/\n/g, '\\n').replace(/\t/g, '\\t');
  return truncateText(flat, width);
}

export interface Column<Row> {
  header: string;
  get: (row: Row) => string;
  /** Columns that may be cut to fit the terminal; the others keep their width. */
  flexible?: boolean;
}

/** A cli-table3 table sized to the terminal: flexible columns share what is left. */
export async function renderTable<Row>(rows: Row[], columns: Column<Row>[], totalWidth?: number): Promise<string> {
  const { default: Table } = await import('cli-table3');
  const width = totalWidth ?? (process.stdout.columns || 100);
  const cells = rows.map((row) => columns.map((column) => column.get(row)));
  const natural = columns.map((column, i) => Math.max(column.header.length, ...cells.map((r) => graphemes(r[i] as string).length)));
  // Each column costs its content plus 2 padding plus 1 border; the table has one more border.
  const overhead = columns.length * 3 + 1;
  const fixed = columns.reduce((sum, c, i) => sum + (c.flexible ? 0 : (natural[i] as number)), 0);
  const flexibleCount = columns.filter((c) => c.flexible).length;
  const room = Math.max(8 * flexibleCount, width - overhead - fixed);
  const share = flexibleCount > 0 ? Math.floor(room / flexibleCount) : 0;
  const widths = columns.map((c, i) => (c.flexible ? Math.max(4, Math.min(natural[i] as number, share)) : (natural[i] as number)));
  const table = new Table({
    head: columns.map((c) => c.header),
    colWidths: widths.map((w) => w + 2),
    wordWrap: false,
    // compact: one rule under the header and none between rows, so a list reads as a list.
    style: { head: useColor(process.stdout) ? ['cyan'] : [], border: [], compact: true },
  });
  for (const row of cells) table.push(row.map((cell, i) => truncate(cell, widths[i] as number)));
  return table.toString();
}

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value.toFixed(value < 10 ? 2 : 1)} ${units[unit]}`;
}

export function formatExpiration(expiration: number | null | undefined): string {
  if (expiration === null || expiration === undefined) return '';
  return new Date(expiration * 1000).toISOString().replace('.000Z', 'Z');
}
