// The bulk body is written as bytes by hand: it must say exactly what JSON.stringify of the
// items would, for every kind of key, value and metadata a store can hold.
import { describe, expect, it } from 'vitest';
import type { StoredEntry } from '../../src/lib/backends/backend.js';
import { bulkRequests } from '../../src/lib/backends/http-encoding.js';

const entry = (key: string, value: Buffer, metadata: string | null = null, expiration: number | null = null): StoredEntry => ({
  key,
  value,
  expiration,
  metadata,
});

describe('bulk request bodies', () => {
  it('carry keys, text, escapes, a leading BOM, metadata and expirations as JSON.stringify would', () => {
    const entries = [
      entry('plain', Buffer.from('hello world')),
      entry('k"\\\n\u00e9\u{1F600}', Buffer.from('\uFEFFa"b\\c\u0001 \u00e9\u{1F600}\u2028'), '{"x":"\\u0000","y":[1,2.5,null]}'),
      entry('empty', Buffer.alloc(0), null, 4_102_444_800),
      entry('utf8', Buffer.from('caf\u00e9 \u4e16\u754c'), '{"n":1}'),
    ];
    const [request] = bulkRequests(entries, 100, 1_700_000_000);
    expect(request?.body.toString('utf8')).toBe(
      JSON.stringify([
        { key: 'plain', value: 'hello world' },
        { key: 'k"\\\n\u00e9\u{1F600}', value: '\uFEFFa"b\\c\u0001 \u00e9\u{1F600}\u2028', metadata: { x: '\u0000', y: [1, 2.5, null] } },
        { key: 'empty', value: '', expiration: 4_102_444_800 },
        { key: 'utf8', value: 'caf\u00e9 \u4e16\u754c', metadata: { n: 1 } },
      ]),
    );
  });

  it('send bytes that are not UTF-8 as base64, and split groups at the item limit', () => {
    const entries = [entry('bin', Buffer.from([0xff, 0x00, 0x80])), entry('half', Buffer.from([0x61, 0xc3])), entry('a', Buffer.from('a'))];
    const requests = bulkRequests(entries, 2, 0);
    expect(requests.map((r) => JSON.parse(r.body.toString('utf8')))).toEqual([
      [
        { key: 'bin', value: '/wCA', base64: true },
        { key: 'half', value: 'YcM=', base64: true },
      ],
      [{ key: 'a', value: 'a' }],
    ]);
    expect(requests.map((r) => r.entries.length)).toEqual([2, 1]);
  });
});
