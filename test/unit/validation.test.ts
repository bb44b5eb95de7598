/** Every limit of the KV model at its boundary, against the pure validators. */
import { describe, expect, it } from 'vitest';
import { decodeCursor, encodeCursor, prefixUpperBound } from '../../src/lib/cursor.js';
import { parseDuration, parseExpiration } from '../../src/lib/duration.js';
import { KeyNotFoundError, ValidationError } from '../../src/lib/errors.js';
import { LIMITS } from '../../src/lib/limits.js';
import {
  displayKey,
  parseMetadataText,
  resolveExpiration,
  serializeMetadata,
  validateCacheTtl,
  validateExpiration,
  validateExpirationTtl,
  validateKey,
  validateListLimit,
  validateNamespaceName,
  validatePrefix,
  validateValueSize,
} from '../../src/lib/validation.js';
import { toJsonValue } from '../../src/lib/encoding.js';
import { bytesToValue, readStream, valueToBytes } from '../../src/lib/values.js';

/** The ValidationError `fn` throws (fails the test when it throws nothing or something else). */
function thrown(fn: () => unknown): ValidationError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(ValidationError);
    return error as ValidationError;
  }
  throw new Error('expected a ValidationError, nothing was thrown');
}

async function rejected(promise: Promise<unknown>): Promise<ValidationError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(ValidationError);
    return error as ValidationError;
  }
  throw new Error('expected a ValidationError, the promise resolved');
}

const NOW_MS = 1_800_000_000_500; // half a second past a whole second
const NOW_S = 1_800_000_000;

describe('keys', () => {
  // '€' is 3 bytes of UTF-8, '😀' is 4.
  const euro = (count: number, tail = '') => '€'.repeat(count) + tail;

  it('accepts 511 and 512 bytes of multi-byte characters', () => {
    const k511 = euro(170, 'a');
    const k512 = euro(170, 'ab');
    expect(Buffer.byteLength(k511)).toBe(511);
    expect(Buffer.byteLength(k512)).toBe(512);
    expect(validateKey(k511)).toBe(k511);
    expect(validateKey(k512)).toBe(k512);
    const emoji512 = '😀'.repeat(128);
    expect(Buffer.byteLength(emoji512)).toBe(512);
    expect(validateKey(emoji512)).toBe(emoji512);
  });

  it('refuses 513 bytes (171 three-byte characters) with code, key, limit and actual size', () => {
    const k513 = euro(171);
    expect(k513.length).toBe(171);
    const error = thrown(() => validateKey(k513));
    expect(error.code).toBe('KEY_TOO_LONG');
    expect(error.exitCode).toBe(2);
    expect(error.details).toMatchObject({ key: k513, limit: 512, actual: 513 });
    expect(error.message).toContain('513');
    expect(error.message).toContain('512');
    expect(error.message).toContain('€€€');
    expect(error.httpStatus).toBe(414);
  });

  it('refuses a 4-byte character that crosses the limit (129 emoji = 516 bytes)', () => {
    const error = thrown(() => validateKey('😀'.repeat(129)));
    expect(error.details).toMatchObject({ limit: 512, actual: 516 });
  });

  it('refuses the empty key', () => {
    const error = thrown(() => validateKey(''));
    expect(error.code).toBe('KEY_EMPTY');
    expect(error.details).toMatchObject({ limit: 512, actual: 0 });
  });

  it('refuses "." and ".." but not longer runs of dots', () => {
    expect(thrown(() => validateKey('.')).code).toBe('KEY_RESERVED');
    expect(thrown(() => validateKey('..')).code).toBe('KEY_RESERVED');
    expect(validateKey('...')).toBe('...');
    expect(validateKey('./a')).toBe('./a');
  });

  it('refuses keys that are not strings', () => {
    expect(thrown(() => validateKey(42)).code).toBe('KEY_EMPTY');
    expect(thrown(() => validateKey(undefined)).message).toContain('undefined');
  });

  it('refuses a lone surrogate (a string with no UTF-8 form) with KEY_INVALID, accepts a paired one', () => {
    for (const key of ['a\uD800', '\uDC00b', 'x\uD83D', '\uDE00\uD83D']) {
      const error = thrown(() => validateKey(key));
      expect(error.code).toBe('KEY_INVALID');
      expect(error.details.key).toBe(key);
      expect(error.message).toContain('surrogate');
    }
    expect(validateKey('x\uD83D\uDE00')).toBe('x😀');
  });

  it('accepts unicode keys with slashes, spaces, control characters and emoji', () => {
    for (const key of ['a/b/c', ' lead and trail ', 'tab\there', 'line\nbreak', '日本語/キー', '👩‍👩‍👧 family', '/', ' ']) {
      expect(validateKey(key)).toBe(key);
    }
  });
});

describe('displayKey', () => {
  it('quotes and escapes control characters so a message stays one line', () => {
    expect(displayKey('a\nb')).toBe('"a\\nb"');
  });

  it('cuts long keys without splitting an emoji into a lone surrogate', () => {
    const shown = displayKey('😀'.repeat(128));
    expect(shown.endsWith('…"')).toBe(true);
    expect(/\p{Surrogate}/u.test(shown)).toBe(false);
    expect([...shown].length).toBeLessThanOrEqual(82);
  });
});

describe('value size', () => {
  it('accepts exactly 25 MiB and refuses one byte more, naming key, limit and size', async () => {
    expect(LIMITS.valueMaxBytes).toBe(25 * 1024 * 1024);
    const exact = new Uint8Array(LIMITS.valueMaxBytes);
    expect((await valueToBytes(exact, 'big')).byteLength).toBe(26_214_400);
    const over = new Uint8Array(LIMITS.valueMaxBytes + 1);
    const error = await rejected(valueToBytes(over, 'big'));
    expect(error.code).toBe('VALUE_TOO_LARGE');
    expect(error.details).toMatchObject({ key: 'big', limit: 26_214_400, actual: 26_214_401 });
    expect(error.message).toContain('"big"');
    expect(error.message).toContain('26214401');
    expect(error.httpStatus).toBe(413);
  });

  it('counts a string value in UTF-8 bytes', async () => {
    // 8,738,133 '€' = 26,214,399 bytes; one more ASCII character fits, two do not.
    const base = '€'.repeat(8_738_133);
    expect((await valueToBytes(`${base}a`, 'k')).byteLength).toBe(26_214_400);
    expect((await rejected(valueToBytes(`${base}ab`, 'k'))).details.actual).toBe(26_214_401);
  });

  it('refuses an oversize stream as its bytes arrive', async () => {
    const chunk = new Uint8Array(1024 * 1024);
    let sent = 0;
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        sent++;
        // 25 chunks of 1 MiB, then one byte: 25 MiB + 1.
        if (sent <= 25) controller.enqueue(chunk);
        else if (sent === 26) controller.enqueue(new Uint8Array(1));
        else controller.close();
      },
    });
    const error = await rejected(valueToBytes(stream, 'streamed'));
    expect(error.code).toBe('VALUE_TOO_LARGE');
    expect(error.details).toMatchObject({ key: 'streamed', actual: 26_214_401 });
  });

  it('validateValueSize: the boundary itself', () => {
    expect(() => validateValueSize(26_214_400)).not.toThrow();
    expect(thrown(() => validateValueSize(26_214_401, 'k')).details.actual).toBe(26_214_401);
  });

  it('refuses undefined and null values', async () => {
    expect((await rejected(valueToBytes(undefined as never, 'k'))).code).toBe('VALUE_INVALID');
    expect((await rejected(valueToBytes(null as never, 'k'))).code).toBe('VALUE_INVALID');
  });
});

describe('metadata', () => {
  // {"a":"xxx…"} is 8 bytes of syntax plus the string.
  const sized = (bytes: number) => ({ a: 'x'.repeat(bytes - 8) });

  it('accepts 1024 serialised bytes and refuses 1025, naming key, limit and size', () => {
    expect(Buffer.byteLength(JSON.stringify(sized(1024)))).toBe(1024);
    expect(serializeMetadata(sized(1024), 'k')).toBe(JSON.stringify(sized(1024)));
    const error = thrown(() => serializeMetadata(sized(1025), 'k'));
    expect(error.code).toBe('METADATA_TOO_LARGE');
    expect(error.details).toMatchObject({ key: 'k', limit: 1024, actual: 1025 });
    expect(error.message).toContain('1025');
  });

  it('counts multi-byte characters in bytes', () => {
    // {"a":"€…"}: 8 + 3n bytes; n = 338 → 1022, n = 339 → 1025.
    expect(() => serializeMetadata({ a: '€'.repeat(338) })).not.toThrow();
    expect(thrown(() => serializeMetadata({ a: '€'.repeat(339) })).details.actual).toBe(1025);
  });

  it('measures text metadata once re-serialised (whitespace does not count)', () => {
    const padded = `{ "a" :  "${'x'.repeat(1016)}" }`;
    expect(Buffer.byteLength(padded)).toBeGreaterThan(1024);
    expect(parseMetadataText(padded, 'k')).toBe(JSON.stringify(sized(1024)));
    expect(thrown(() => parseMetadataText(JSON.stringify(sized(1025)), 'k')).code).toBe('METADATA_TOO_LARGE');
    expect(thrown(() => parseMetadataText('{nope', 'k')).code).toBe('METADATA_INVALID');
  });

  it('refuses what JSON cannot serialise', () => {
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(thrown(() => serializeMetadata(cyclic, 'k')).code).toBe('METADATA_INVALID');
    expect(thrown(() => serializeMetadata(() => 1, 'k')).code).toBe('METADATA_INVALID');
    expect(thrown(() => serializeMetadata(10n, 'k')).code).toBe('METADATA_INVALID');
  });

  it('treats undefined and null as no metadata', () => {
    expect(serializeMetadata(undefined)).toBeNull();
    expect(serializeMetadata(null)).toBeNull();
  });
});

describe('expiration', () => {
  it('expirationTtl: 59 refused, 60 accepted', () => {
    expect(validateExpirationTtl(60)).toBe(60);
    const error = thrown(() => validateExpirationTtl(59, 'k'));
    expect(error.code).toBe('EXPIRATION_TTL_INVALID');
    expect(error.details).toMatchObject({ key: 'k', limit: 60, actual: 59 });
    expect(error.message).toContain('59');
    expect(error.message).toContain('60');
  });

  it('expirationTtl: fractions, negatives, NaN and words refused; digit strings read', () => {
    for (const bad of [60.5, -60, Number.NaN, Number.POSITIVE_INFINITY, 'sixty', '60s', null, {}]) {
      expect(thrown(() => validateExpirationTtl(bad)).code).toBe('EXPIRATION_TTL_INVALID');
    }
    expect(validateExpirationTtl('120')).toBe(120);
  });

  it('expiration: now+59 refused, now+60 accepted (now taken from the injected clock)', () => {
    expect(validateExpiration(NOW_S + 60, NOW_MS)).toBe(NOW_S + 60);
    const error = thrown(() => validateExpiration(NOW_S + 59, NOW_MS, 'k'));
    expect(error.code).toBe('EXPIRATION_INVALID');
    expect(error.details).toMatchObject({ key: 'k', limit: NOW_S + 60, actual: NOW_S + 59 });
    expect(thrown(() => validateExpiration(NOW_S - 1, NOW_MS)).code).toBe('EXPIRATION_INVALID');
    expect(thrown(() => validateExpiration(NOW_S + 3600.5, NOW_MS)).code).toBe('EXPIRATION_INVALID');
  });

  it('resolveExpiration: a TTL becomes now + TTL and wins over an absolute time; nothing means null', () => {
    expect(resolveExpiration({ expirationTtl: 60 }, NOW_MS)).toBe(NOW_S + 60);
    expect(resolveExpiration({ expiration: NOW_S + 600 }, NOW_MS)).toBe(NOW_S + 600);
    expect(resolveExpiration({ expirationTtl: 120, expiration: NOW_S + 600 }, NOW_MS)).toBe(NOW_S + 120);
    expect(resolveExpiration({}, NOW_MS)).toBeNull();
    expect(thrown(() => resolveExpiration({ expirationTtl: 59 }, NOW_MS, 'k')).code).toBe('EXPIRATION_TTL_INVALID');
  });

  it('the latest expiry is 9999-12-31T23:59:59Z, absolute or by TTL; milliseconds given by mistake get a hint', () => {
    const max = LIMITS.maxExpirationSeconds;
    expect(validateExpiration(max, NOW_MS)).toBe(max);
    const late = thrown(() => validateExpiration(max + 1, NOW_MS, 'k'));
    expect(late.code).toBe('EXPIRATION_INVALID');
    expect(late.details).toMatchObject({ key: 'k', limit: max, actual: max + 1 });
    const ms = thrown(() => validateExpiration(String(NOW_MS + 3_600_000), NOW_MS, 'k'));
    expect(ms.hint).toContain('looks like milliseconds');
    expect(resolveExpiration({ expirationTtl: max - NOW_S }, NOW_MS)).toBe(max);
    const ttl = thrown(() => resolveExpiration({ expirationTtl: max - NOW_S + 1 }, NOW_MS, 'k'));
    expect(ttl.code).toBe('EXPIRATION_TTL_INVALID');
    // A TTL too large to be an exact number is refused rather than stored rounded.
    expect(thrown(() => resolveExpiration({ expirationTtl: 1e20 }, NOW_MS)).code).toBe('EXPIRATION_TTL_INVALID');
  });

  it('cacheTtl: 59 refused, 60 accepted', () => {
    expect(validateCacheTtl(60)).toBe(60);
    const error = thrown(() => validateCacheTtl(59));
    expect(error.code).toBe('CACHE_TTL_INVALID');
    expect(error.details).toMatchObject({ limit: 60, actual: 59 });
    expect(thrown(() => validateCacheTtl('60')).code).toBe('CACHE_TTL_INVALID');
  });
});

describe('namespace names and list limits', () => {
  it('accepts 1 to 64 characters of A-Z a-z 0-9 . _ -, not starting with "."', () => {
    for (const name of ['a', 'users', 'cache-v2', 'app.sessions', '_x', '-x', 'A'.repeat(64)]) {
      expect(validateNamespaceName(name)).toBe(name);
    }
  });

  it('refuses other names with NAMESPACE_NAME_INVALID, the limit and the length', () => {
    for (const name of ['', '.hidden', '..', 'a/b', 'a b', 'é', 'x'.repeat(65), '😀']) {
      const error = thrown(() => validateNamespaceName(name));
      expect(error.code).toBe('NAMESPACE_NAME_INVALID');
      expect(error.details).toMatchObject({ namespace: name, limit: 64, actual: name.length });
    }
  });

  it('list limit: 1 and 1000 accepted, 0 and 1001 refused', () => {
    expect(validateListLimit(1)).toBe(1);
    expect(validateListLimit(1000)).toBe(1000);
    expect(thrown(() => validateListLimit(0)).details).toMatchObject({ limit: 1000, actual: 0 });
    expect(thrown(() => validateListLimit(1001)).details).toMatchObject({ limit: 1000, actual: 1001 });
    expect(thrown(() => validateListLimit(1.5)).code).toBe('LIST_LIMIT_INVALID');
  });

  it('list limit of a listing with digests: up to 10,000, and the message names that maximum', () => {
    expect(validateListLimit(10_000, LIMITS.digestListMaxLimit)).toBe(10_000);
    const error = thrown(() => validateListLimit(10_001, LIMITS.digestListMaxLimit));
    expect(error.details).toMatchObject({ limit: 10_000, actual: 10_001 });
    expect(error.message).toBe('invalid list limit 10001: it must be 1 to 10000');
  });

  it('prefix: any well-formed text, no lone surrogates', () => {
    expect(validatePrefix('😀/')).toBe('😀/');
    expect(thrown(() => validatePrefix('\uD83D')).code).toBe('KEY_INVALID');
  });
});

describe('durations and times (CLI input)', () => {
  it('reads seconds and durations', () => {
    expect(parseDuration('90')).toBe(90);
    expect(parseDuration('90s')).toBe(90);
    expect(parseDuration('15m')).toBe(900);
    expect(parseDuration('1h')).toBe(3600);
    expect(parseDuration('7d')).toBe(604_800);
    expect(parseDuration('2w')).toBe(1_209_600);
    expect(parseDuration('1h30m')).toBe(5400);
    expect(parseDuration(' 1H ')).toBe(3600);
  });

  it('refuses what is not a duration', () => {
    for (const bad of ['', '1x', 'h', '1h 30m', '-5', '1.5h', '15mm']) {
      expect(thrown(() => parseDuration(bad)).code).toBe('EXPIRATION_TTL_INVALID');
    }
  });

  it('reads unix seconds and ISO-8601', () => {
    expect(parseExpiration('1767225600')).toBe(1_767_225_600);
    expect(parseExpiration('2026-01-01T00:00:00Z')).toBe(1_767_225_600);
    expect(parseExpiration('2026-01-01T01:00:00+01:00')).toBe(1_767_225_600);
    expect(parseExpiration('2026-01-01')).toBe(1_767_225_600);
    for (const bad of ['tomorrow', '', '01/01/2026', '2026-13-45T99:00:00Z']) {
      expect(thrown(() => parseExpiration(bad)).code).toBe('EXPIRATION_INVALID');
    }
  });
});

describe('reading values', () => {
  it('an endless stream is cut just past 25 MiB: reading stops there and the source is closed', async () => {
    let pulled = 0;
    let closed = false;
    async function* endless(): AsyncIterable<Uint8Array> {
      const chunk = new Uint8Array(1 << 20);
      try {
        for (;;) {
          pulled++;
          yield chunk;
        }
      } finally {
        closed = true;
      }
    }
    const error = await rejected(readStream(endless(), 'k', 'stdin'));
    expect(error.code).toBe('VALUE_TOO_LARGE');
    expect(error.message).toBe(
      `key "k": Value length of more than ${LIMITS.valueMaxBytes} exceeds limit of ${LIMITS.valueMaxBytes} (stopped reading stdin there).`,
    );
    // 25 chunks of 1 MiB are exactly the limit; the 26th passes it, and no more is asked for.
    expect(pulled).toBe(26);
    expect(closed).toBe(true);
  });

  it('a leading byte-order mark is part of the value as text and in JSON output; the json type parses past it', () => {
    const bytes = Buffer.from([0xef, 0xbb, 0xbf, 0x7b, 0x7d]);
    expect(bytesToValue(bytes, 'text')).toBe('\uFEFF{}');
    expect(toJsonValue(bytes)).toEqual({ value: '\uFEFF{}' });
    expect(Buffer.from(toJsonValue(bytes).value, 'utf8').equals(bytes)).toBe(true);
    expect(bytesToValue(bytes, 'json')).toEqual({});
    expect(toJsonValue(Buffer.from([0xef, 0xbb]))).toEqual({ value: '77s=', base64: true });
  });
});

describe('expiration messages name the rule that was broken', () => {
  const WHOLE_TTL = 'Expiration TTL must be a whole number of seconds.';
  const WHOLE_EXP = 'Expiration times must be a whole number of seconds since the epoch (unix time).';
  const ttlCases: Array<[unknown, string]> = [
    [90.5, `Invalid expiration_ttl of 90.5. ${WHOLE_TTL}`],
    ['90.5', `Invalid expiration_ttl of "90.5". ${WHOLE_TTL}`],
    ['x', `Invalid expiration_ttl of "x". ${WHOLE_TTL}`],
    ['', `Invalid expiration_ttl of "". ${WHOLE_TTL}`],
    [true, `Invalid expiration_ttl of true. ${WHOLE_TTL}`],
    [Number.NaN, `Invalid expiration_ttl of NaN. ${WHOLE_TTL}`],
    [59, 'Invalid expiration_ttl of 59. Expiration TTL must be at least 60.'],
    ['-5', 'Invalid expiration_ttl of -5. Expiration TTL must be at least 60.'],
  ];
  it.each(ttlCases)('expiration_ttl %j → %s', (given, message) => {
    const error = thrown(() => validateExpirationTtl(given));
    expect(error.code).toBe('EXPIRATION_TTL_INVALID');
    expect(error.message).toBe(message);
  });

  const expirationCases: Array<[unknown, string]> = [
    [NOW_S + 3600.5, `Invalid expiration of ${NOW_S + 3600.5}. ${WHOLE_EXP}`],
    ['2030-01-01T00:00:00Z', `Invalid expiration of "2030-01-01T00:00:00Z". ${WHOLE_EXP}`],
    ['soon', `Invalid expiration of "soon". ${WHOLE_EXP}`],
    [NOW_S, `Invalid expiration of ${NOW_S}. Expiration times must be at least 60 seconds in the future.`],
  ];
  it.each(expirationCases)('expiration %j → %s', (given, message) => {
    const error = thrown(() => validateExpiration(given, NOW_MS));
    expect(error.code).toBe('EXPIRATION_INVALID');
    expect(error.message).toBe(message);
  });

  it('cache TTL: a fraction is not a whole number, 59 is below the minimum', () => {
    expect(thrown(() => validateCacheTtl(60.5)).message).toBe('Invalid cache_ttl of 60.5. Cache TTL must be a whole number of seconds.');
    expect(thrown(() => validateCacheTtl(59)).message).toBe('Invalid cache_ttl of 59. Cache TTL must be at least 60.');
  });

  const flagCases: Array<[string, string]> = [
    ['90.5', '--ttl: cannot read "90.5": it must be a whole number of seconds (90) or a duration (15m, 1h, 7d, 1h30m)'],
    ['x', '--ttl: cannot read "x": it must be a whole number of seconds (90) or a duration (15m, 1h, 7d, 1h30m)'],
  ];
  it.each(flagCases)('--ttl %s → %s', (given, message) => {
    expect(thrown(() => parseDuration(given)).message).toBe(message);
  });

  const timeCases: Array<[string, string]> = [
    ['1767225600.5', '--expiration "1767225600.5" must be a whole number of seconds since 1970-01-01 UTC (unix time), or an ISO-8601 time'],
    ['-5', '--expiration "-5" must be a whole number of seconds since 1970-01-01 UTC (unix time), or an ISO-8601 time'],
    ['tomorrow', '--expiration "tomorrow" cannot be read as a time'],
    [
      '2026-12-31T10:00:00',
      '--expiration "2026-12-31T10:00:00" has no time zone: add Z for UTC or an offset such as +02:00 (kvadm does not guess between UTC and local time)',
    ],
    [
      '2026-12-31 10:00',
      '--expiration "2026-12-31 10:00" has no time zone: add Z for UTC or an offset such as +02:00 (kvadm does not guess between UTC and local time)',
    ],
    ['2026-02-30T00:00:00Z', '--expiration "2026-02-30T00:00:00Z" is not a valid date and time'],
    ['2026-01-01T24:00:00Z', '--expiration "2026-01-01T24:00:00Z" is not a valid date and time'],
  ];
  it.each(timeCases)('--expiration %s → %s', (given, message) => {
    const error = thrown(() => parseExpiration(given));
    expect(error.code).toBe('EXPIRATION_INVALID');
    expect(error.message).toBe(message);
  });

  it('ISO-8601 in a file: a date alone is midnight UTC; offsets and fractions are read; the key is named', () => {
    expect(parseExpiration('2026-01-01', 'expiration', 'k')).toBe(1_767_225_600);
    expect(parseExpiration('2026-01-01T00:00:00.999Z', 'expiration')).toBe(1_767_225_600);
    expect(parseExpiration('2025-12-31T19:00:00-05:00', 'expiration')).toBe(1_767_225_600);
    expect(parseExpiration('2026-01-01T05:30+0530', 'expiration')).toBe(1_767_225_600);
    expect(parseExpiration(' 1767225600 ', 'expiration')).toBe(1_767_225_600);
    expect(thrown(() => parseExpiration('2026-01-01T00:00', 'expiration', 'k')).message).toMatch(
      /^key "k": expiration "2026-01-01T00:00" has no time zone/,
    );
  });
});

describe('cursors and prefix bounds', () => {
  it('a cursor round-trips any key, astral characters included', () => {
    for (const key of ['a', '日本/😀 x', '\u{10FFFF}', 'a'.repeat(512)]) {
      const cursor = encodeCursor(key);
      expect(cursor).toMatch(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{8}$/);
      expect(decodeCursor(cursor)).toBe(key);
    }
  });

  it('refuses a cursor that was not produced by a listing', () => {
    expect(thrown(() => decodeCursor('not a cursor!')).code).toBe('CURSOR_INVALID');
    // Well-formed base64url, but not a cursor: refused, not read as "start after this key".
    expect(thrown(() => decodeCursor('garbage')).code).toBe('CURSOR_INVALID');
    const real = encodeCursor('user:1');
    const mangled = `${Buffer.from('user:2').toString('base64url')}${real.slice(real.indexOf('.'))}`;
    expect(thrown(() => decodeCursor(mangled)).code).toBe('CURSOR_INVALID');
  });

  it('the upper bound is above every extension of the prefix and below the next prefix, in UTF-8 byte order', () => {
    const cases: Array<[string, string | null]> = [
      ['a', 'b'],
      ['ab', 'ac'],
      ['😀', '😁'],
      ['\uD7FF', '\uE000'],
      ['\uFFFF', '\u{10000}'],
      ['a\u{10FFFF}', 'b'],
      ['\u{10FFFF}', null],
      ['', null],
    ];
    for (const [prefix, bound] of cases) expect(prefixUpperBound(prefix)).toBe(bound);
    const bytes = (s: string) => Buffer.from(s, 'utf8');
    for (const prefix of ['😀', 'é', '\uFFFF', 'a\u{10FFFF}']) {
      const upper = prefixUpperBound(prefix) as string;
      for (const extension of ['', 'a', '\u{10FFFF}', '\u{10FFFF}'.repeat(4)]) {
        expect(Buffer.compare(bytes(prefix + extension), bytes(upper))).toBe(-1);
      }
    }
  });
});

describe('error shape', () => {
  it('a missing key reads as one line, naming key and namespace, with control characters escaped', () => {
    const error = new KeyNotFoundError('a\nb', 'default');
    expect(error.exitCode).toBe(3);
    expect(error.message).toBe('key "a\\nb" not found in namespace \'default\'');
    expect(error.hint).toBeUndefined();
    expect(error.toJSON()).toMatchObject({ code: 'KEY_NOT_FOUND', key: 'a\nb', namespace: 'default' });
  });
});
