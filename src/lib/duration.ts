/** Parsing human time input for --ttl, --expiration and --cache-ttl. */
import { ValidationError } from './errors.js';

const UNIT_SECONDS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86_400, w: 604_800 };

/** "90", "90s", "15m", "1h", "7d", "2w", or combinations like "1h30m" → seconds. */
export function parseDuration(input: string, flag = '--ttl'): number {
  const text = input.trim().toLowerCase();
  if (/^\d+$/.test(text)) return Number(text);
  const parts = [...text.matchAll(/(\d+)([smhdw])/g)];
  if (parts.length === 0 || parts.map((p) => p[0]).join('') !== text) {
    throw new ValidationError('EXPIRATION_TTL_INVALID', `${flag}: cannot read ${JSON.stringify(input)} as a duration`, {
      hint: 'give seconds (90) or a duration such as 15m, 1h, 7d or 1h30m',
    });
  }
  return parts.reduce((sum, [, amount, unit]) => sum + Number(amount) * (UNIT_SECONDS[unit as string] as number), 0);
}

/** Unix seconds ("1767225600") or an ISO-8601 date-time ("2026-12-31T00:00:00Z") → unix seconds. */
export function parseExpiration(input: string): number {
  const text = input.trim();
  if (/^\d+$/.test(text)) return Number(text);
  const ms = /^\d{4}-\d{2}-\d{2}/.test(text) ? Date.parse(text) : Number.NaN;
  if (Number.isNaN(ms)) {
    throw new ValidationError('EXPIRATION_INVALID', `--expiration: cannot read ${JSON.stringify(input)} as a time`, {
      hint: 'give unix seconds (1767225600) or an ISO-8601 time (2026-12-31T00:00:00Z)',
    });
  }
  return Math.floor(ms / 1000);
}
