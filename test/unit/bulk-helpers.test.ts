/** Helpers of the bulk engine that need no store: strict base64 and the duplicate-key fingerprints. */
import { describe, expect, it } from 'vitest';
import { decodeBase64 } from '../../src/lib/bulk/entries.js';
import { KeyFingerprints } from '../../src/lib/bulk/key-fingerprints.js';
import { ValidationError } from '../../src/lib/errors.js';

describe('strict base64', () => {
  it('decodes canonical padded base64 and refuses anything else', () => {
    expect(decodeBase64('AAEC/w==', 'k')).toEqual(Buffer.from([0, 1, 2, 255]));
    expect(decodeBase64('', 'k')).toEqual(Buffer.alloc(0));
    for (const bad of ['AAEC/w', 'AAEC/w=', 'AA-_', 'AA==AA==', 'AB==', 'AA A', 'AA\n==']) {
      expect(() => decodeBase64(bad, 'k')).toThrow(ValidationError);
    }
  });
});

describe('KeyFingerprints', () => {
  it('tells keys seen before from new ones across growth', () => {
    const seen = new KeyFingerprints(4);
    for (let i = 0; i < 50_000; i++) expect(seen.add(`key:${i}`)).toBe(false);
    for (let i = 0; i < 50_000; i += 7) expect(seen.add(`key:${i}`)).toBe(true);
    expect(seen.add('é🙂')).toBe(false);
    expect(seen.add('é🙂')).toBe(true);
    expect(seen.size).toBe(50_001);
  });
});
