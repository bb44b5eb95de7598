/** The pure parts of diff/sync: store addresses, UTF-8 key order, the merge-join, what counts as different. */
import { describe, expect, it } from 'vitest';
import { parseStoreAddress } from '../../src/lib/sync/address.js';
import { differences } from '../../src/lib/sync/compare.js';
import { type SideEntry, compareKeys, mergeSides, readAhead } from '../../src/lib/sync/merge.js';

const entry = (key: string, extra: Partial<SideEntry> = {}): SideEntry => ({
  key,
  value: Buffer.from('v'),
  expiration: null,
  metadata: null,
  ...extra,
});

async function* pages<T>(...list: T[][]): AsyncIterable<T[]> {
  for (const page of list) yield page;
}

describe('store addresses', () => {
  it('NAMESPACE and PROFILE:NAMESPACE', () => {
    expect(parseStoreAddress('users', 'SRC')).toEqual({ profile: undefined, namespace: 'users', text: 'users' });
    expect(parseStoreAddress('local-backup:users-2026-12-01', 'DST')).toEqual({
      profile: 'local-backup',
      namespace: 'users-2026-12-01',
      text: 'local-backup:users-2026-12-01',
    });
  });

  it('refuses what is neither, naming the argument', () => {
    expect(() => parseStoreAddress('prod:', 'DST')).toThrow(/DST "prod:": "" is not a namespace name/);
    expect(() => parseStoreAddress(':users', 'SRC')).toThrow(/SRC ":users": "" is not a profile name/);
    expect(() => parseStoreAddress('a:b:c', 'SRC')).toThrow(/"b:c" is not a namespace name/);
  });
});

describe('key order', () => {
  it('is UTF-8 byte order, also where UTF-16 order differs (astral vs U+E000–FFFF)', () => {
    const keys = ['a', 'ab', 'b', 'é', '\uE000', '\uFFFD', '🙂', '中', 'A', 'a\u0000', 'z🙂', 'z\uFFFF'];
    const byBytes = [...keys].sort((x, y) => Buffer.compare(Buffer.from(x), Buffer.from(y)));
    expect([...keys].sort(compareKeys)).toEqual(byBytes);
    expect(compareKeys('🙂', '\uFFFD')).toBeGreaterThan(0);
    expect('🙂' < '\uFFFD').toBe(true);
  });
});

describe('the merge-join', () => {
  it('pairs keys of both sides in order, across page boundaries', async () => {
    const src = pages([entry('a'), entry('c')], [entry('d'), entry('f')]);
    const dst = pages([entry('b')], [], [entry('c'), entry('d'), entry('e'), entry('g')]);
    const pairs: string[] = [];
    for await (const batch of mergeSides(src, dst, 3)) {
      for (const p of batch) pairs.push(`${p.key}:${p.src ? 'S' : ''}${p.dst ? 'D' : ''}`);
    }
    expect(pairs).toEqual(['a:S', 'b:D', 'c:SD', 'd:SD', 'e:D', 'f:S', 'g:D']);
  });

  it('a side that fails mid-read fails the merge', async () => {
    async function* failing(): AsyncIterable<SideEntry[]> {
      yield [entry('a')];
      throw new Error('connection lost');
    }
    const run = async () => {
      for await (const _ of mergeSides(failing(), pages([entry('b')]))) {
      }
    };
    await expect(run()).rejects.toThrow('connection lost');
  });

  it('read-ahead asks for pages before they are consumed, in order', async () => {
    const asked: number[] = [];
    async function* numbered(): AsyncIterable<number> {
      for (let i = 0; i < 5; i++) {
        asked.push(i);
        yield i;
      }
    }
    const seen: number[] = [];
    for await (const n of readAhead(numbered(), 2)) {
      seen.push(n);
      // While page 0 is being handled, the next two are already asked for.
      if (n === 0) expect(asked).toEqual([0, 1, 2]);
    }
    expect(seen).toEqual([0, 1, 2, 3, 4]);
  });
});

describe('what differs', () => {
  it('value bytes, metadata text, expirations more than 60 s apart', () => {
    expect(differences(entry('k'), entry('k'))).toBeNull();
    expect(differences(entry('k'), entry('k', { value: Buffer.from([0xff]) }))).toEqual(['value']);
    expect(differences(entry('k', { metadata: '{"a":1}' }), entry('k'))).toEqual(['metadata']);
    expect(differences(entry('k', { expiration: 1000 }), entry('k', { expiration: 1060 }))).toBeNull();
    expect(differences(entry('k', { expiration: 1000 }), entry('k', { expiration: 1061 }))).toEqual(['expiration']);
    expect(differences(entry('k', { expiration: 1000 }), entry('k'))).toEqual(['expiration']);
    // --keys-only: no values on either side, so only metadata and expiration count.
    expect(differences(entry('k', { value: null }), entry('k', { value: null, metadata: '1' }))).toEqual(['metadata']);
  });
});
