import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { InvalidKeyListError, readKeyList } from '../../src/lib/bulk/key-list.js';
import { UsageError, displayKey } from '../../src/lib/errors.js';
import { readCsv } from '../../src/lib/formats/csv.js';

/** `text` as a stream of Buffers of `size` bytes (a file read in small pieces). */
function streamOf(text: string, size: number): Readable {
  const bytes = Buffer.from(text);
  const pieces: Buffer[] = [];
  for (let i = 0; i < bytes.length; i += size) pieces.push(bytes.subarray(i, i + size));
  return Readable.from(pieces);
}

describe('tokens much longer than a chunk', () => {
  it('kv delete --from-file: a key list line of 1 MB read in 1 KiB pieces is one too-long key, and the keys after it are read', async () => {
    const long = 'k'.repeat(1_000_000);
    const text = `first\r\n${long}\r\nafter\n`;
    const error = await readKeyList({ kind: 'stream', stream: streamOf(text, 1024), name: 'keys.txt' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidKeyListError);
    const { problems, invalidCount } = (error as InvalidKeyListError).details as {
      problems: { index: number; line: number; code: string }[];
      invalidCount: number;
    };
    expect(invalidCount).toBe(1);
    expect(problems).toEqual([expect.objectContaining({ index: 1, line: 2, code: 'KEY_TOO_LONG' })]);
    const keys = await readKeyList({ kind: 'stream', stream: streamOf(`first\r\n${'k'.repeat(512)}\r\nafter`, 7) });
    expect(keys).toEqual(['first', 'k'.repeat(512), 'after']);
  });

  it('a key of megabytes is shown cut, exactly as a short one is cut', () => {
    const shown = displayKey(`a\n${'é'.repeat(3_000_000)}`);
    expect(shown).toBe(`"a\\n${'é'.repeat(74)}…"`);
    expect(displayKey(`${'😀'.repeat(100)}`)).toBe(`"${'😀'.repeat(77)}…"`);
    expect(displayKey('x'.repeat(80))).toBe(`"${'x'.repeat(80)}"`);
  });

  it('CSV: a long quoted key, value and metadata read in small pieces', async () => {
    const key = `k"${'x'.repeat(50_000)}`;
    const value = `${'v\n""'.repeat(100_000)}`;
    const metadata = JSON.stringify({ note: 'm'.repeat(100_000) });
    const quote = (cell: string) => `"${cell.replace(/"/g, '""')}"`;
    const text = `key,value,metadata\n${quote(key)},${quote(value)},${quote(metadata)}\nnext,v,\n`;
    const bytes = Buffer.from(text);
    async function* chunks(): AsyncIterable<Buffer> {
      for (let i = 0; i < bytes.length; i += 999) yield bytes.subarray(i, i + 999);
    }
    const records: unknown[] = [];
    const lines: number[] = [];
    for await (const batch of readCsv(chunks(), ',', 'big.csv')) {
      records.push(...batch.records);
      lines.push(...batch.lines);
    }
    expect(records).toEqual([
      [key, value, metadata],
      ['next', 'v', ''],
    ]);
    expect(lines).toEqual([2, 100_003]);
  });
});

describe('endless key lists', () => {
  it('kv delete --from-file stops reading a record that never ends (e.g. /dev/zero) and names the problem', async () => {
    let produced = 0;
    async function* endless(): AsyncIterable<Buffer> {
      const chunk = Buffer.alloc(64 * 1024, 0x61);
      for (;;) {
        produced += chunk.length;
        yield chunk;
      }
    }
    const error = await readKeyList({ kind: 'stream', stream: Readable.from(endless()), name: 'stdin' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UsageError);
    expect((error as Error).message).toMatch(
      /record 1 of the key list runs past 4194304 bytes without a line break: this is not a key list/,
    );
    expect(produced).toBeLessThan(5 * 1024 * 1024);
  });
});
