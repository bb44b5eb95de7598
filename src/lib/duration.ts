/**
 * Parsing human time input: --ttl, --expiration and --cache-ttl, and the `expiration`
 * field of import files (which takes the same unix seconds or ISO-8601 as the flag).
 */
import { ValidationError } from './errors.js';

const UNIT_SECONDS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86_400, w: 604_800 };

/** "90", "90s", "15m", "1h", "7d", "2w", or combinations like "1h30m" → seconds. */
export function parseDuration(input: string, flag = '--ttl'): number {
  const text = input.trim().toLowerCase();
  if (/^\d+$/.test(text)) return Number(text);
  const parts = [...text.matchAll(/(\d+)([smhdw])/g)];
  if (parts.length === 0 || parts.map((p) => p[0]).join('') !== text) {
    throw new ValidationError(
      'EXPIRATION_TTL_INVALID',
      `${flag}: cannot read ${JSON.stringify(input)}: it must be a whole number of seconds (90) or a duration (15m, 1h, 7d, 1h30m)`,
      { hint: 'give seconds (90) or a duration such as 15m, 1h, 7d or 1h30m' },
    );
  }
  return parts.reduce((sum, [, amount, unit]) => sum + Number(amount) * (UNIT_SECONDS[unit as string] as number), 0);
}

/**
 * YYYY-MM-DD, optionally followed by THH:MM[:SS[.fraction]] and a zone (Z or ±HH[:MM]).
 * Strict on purpose: Date.parse also takes "2026-12-31 10:00" and free text, each read
 * its own way.
 */
const ISO_8601 = /^(\d{4})-(\d{2})-(\d{2})(?:[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:[.,]\d+)?)?(?:([Zz])|([+-])(\d{2})(?::?(\d{2}))?)?)?$/;

const TIME_HINT =
  'give unix seconds (1767225600) or an ISO-8601 time with a zone (2026-12-31T00:00:00Z or 2026-12-31T02:00:00+02:00); a date alone (2026-12-31) is midnight UTC';

/**
 * Unix seconds ("1767225600") or ISO-8601 → unix seconds. A date alone is midnight UTC.
 * A date and time without a zone is refused: JavaScript reads it as local time (while a
 * date alone is UTC), so the same file would expire at different instants on different
 * machines. `parameter` and `key` name the input in messages ("--expiration", or the
 * `expiration` field of an import file's entry).
 */
export function parseExpiration(input: string, parameter = '--expiration', key?: string): number {
  const text = input.trim();
  if (/^\d+$/.test(text)) return Number(text);
  const fail = (problem: string, hint = TIME_HINT): never => {
    throw new ValidationError('EXPIRATION_INVALID', `${parameter} ${JSON.stringify(input)} ${problem}`, { key, hint });
  };
  if (/^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(text)) {
    fail('must be a whole number of seconds since 1970-01-01 UTC (unix time), or an ISO-8601 time');
  }
  const match = ISO_8601.exec(text);
  if (!match) return fail('cannot be read as a time');
  const [, year, month, day, hour, minute, second, zulu, sign, offsetHours, offsetMinutes] = match;
  if (hour !== undefined && zulu === undefined && sign === undefined) {
    fail(
      'has no time zone: add Z for UTC or an offset such as +02:00 (kvadm does not guess between UTC and local time)',
      `for example ${text}Z (UTC) or ${text}+02:00`,
    );
  }
  const fields = [Number(year), Number(month) - 1, Number(day), Number(hour ?? 0), Number(minute ?? 0), Number(second ?? 0)] as const;
  const ms = Date.UTC(...fields);
  const back = new Date(ms);
  // Date.UTC rolls over (February 30 → March 2): a field out of range shows as a change.
  const inRange =
    back.getUTCFullYear() === fields[0] &&
    back.getUTCMonth() === fields[1] &&
    back.getUTCDate() === fields[2] &&
    back.getUTCHours() === fields[3] &&
    back.getUTCMinutes() === fields[4] &&
    back.getUTCSeconds() === fields[5] &&
    Number(offsetHours ?? 0) <= 23 &&
    Number(offsetMinutes ?? 0) <= 59;
  if (!inRange) fail('is not a valid date and time');
  const offsetSeconds = sign === undefined ? 0 : (sign === '-' ? -1 : 1) * (Number(offsetHours) * 3600 + Number(offsetMinutes ?? 0) * 60);
  // Fractions of a second are dropped: expirations are whole seconds.
  return Math.floor(ms / 1000) - offsetSeconds;
}
