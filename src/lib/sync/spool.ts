/**
 * Keys of a plan kept on disk between planning and applying on a remote store, so memory
 * does not grow with the number of changes. One JSON string per line (keys may hold newlines).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';

export class KeySpool {
  private readonly fd: number;
  private buffered: string[] = [];
  count = 0;

  constructor(readonly file: string) {
    this.fd = fs.openSync(file, 'w', 0o600);
  }

  add(key: string): void {
    this.buffered.push(JSON.stringify(key));
    this.count++;
    if (this.buffered.length >= 1000) this.flush();
  }

  /** Flush and close for writing. */
  finish(): void {
    this.flush();
    fs.closeSync(this.fd);
  }

  private flush(): void {
    if (this.buffered.length === 0) return;
    fs.writeSync(this.fd, `${this.buffered.join('\n')}\n`);
    this.buffered = [];
  }

  /** The keys in the order they were added, `size` at a time. */
  async *chunks(size: number): AsyncIterable<string[]> {
    let chunk: string[] = [];
    const lines = readline.createInterface({ input: fs.createReadStream(this.file), crlfDelay: Number.POSITIVE_INFINITY });
    for await (const line of lines) {
      if (line === '') continue;
      chunk.push(JSON.parse(line) as string);
      if (chunk.length >= size) {
        yield chunk;
        chunk = [];
      }
    }
    if (chunk.length > 0) yield chunk;
  }
}

/** A private temporary folder, removed by the returned function. */
export function spoolFolder(parent = os.tmpdir()): { dir: string; remove: () => void } {
  const dir = fs.mkdtempSync(path.join(parent, 'kvadm-sync-'));
  return { dir, remove: () => fs.rmSync(dir, { recursive: true, force: true }) };
}
