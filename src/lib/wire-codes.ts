/**
 * Error codes on the wire (docs/PROTOCOL.md), shared by `kvadm serve` and the HTTP backend.
 * Cloudflare publishes 10000/10009/10013/10014 only; the 101xx codes are kvadm's own
 * (README, "Remote stores"). Clients branch on the HTTP status plus the published codes,
 * and may use kvadm's to name the rule that failed.
 */
import type { ValidationCode } from './errors.js';

export const WIRE_CODES = {
  authentication: 10000,
  internal: 10001,
  keyNotFound: 10009,
  namespaceNotFound: 10013,
  namespaceExists: 10014,
  /** Malformed request: bad JSON, bad base64, a body of the wrong shape, a key that does not decode. */
  badRequest: 10114,
  bulkTooManyItems: 10115,
  bodyTooLarge: 10116,
  rateLimited: 10117,
  /** Something the store cannot do at all (the Azion bridge: namespace rename, create without a token). */
  unsupported: 10119,
  /** A bulk session (kvadm serve's staged bulk writes) that is not open: unknown, aborted or timed out. */
  bulkSessionNotFound: 10120,
  /** A bulk session that was committed already: it takes no more writes and cannot be aborted. */
  bulkSessionEnded: 10121,
  /** A bulk session could not open: another one held the namespace for too long. */
  bulkSessionBusy: 10122,
  noRoute: 7000,
} as const;

/** kvadm's wire code for each validation rule (stable, documented in the README). */
export const VALIDATION_WIRE_CODES: Record<ValidationCode, number> = {
  KEY_EMPTY: 10101,
  KEY_RESERVED: 10102,
  KEY_TOO_LONG: 10103,
  VALUE_TOO_LARGE: 10104,
  METADATA_INVALID: 10105,
  METADATA_TOO_LARGE: 10106,
  EXPIRATION_TTL_INVALID: 10107,
  EXPIRATION_INVALID: 10108,
  CACHE_TTL_INVALID: 10109,
  NAMESPACE_NAME_INVALID: 10110,
  VALUE_INVALID: 10111,
  LIST_LIMIT_INVALID: 10112,
  CURSOR_INVALID: 10113,
  KEY_INVALID: 10118,
  // Import-file shapes: they never arise on the wire, but are malformed requests if they did.
  ENTRY_INVALID: 10114,
  KEY_MISSING: 10114,
  VALUE_MISSING: 10114,
  BASE64_INVALID: 10114,
  FIELD_INVALID: 10114,
  USAGE: WIRE_CODES.badRequest,
};

/** The validation rule a wire code stands for (the HTTP client's side of the table). */
export function validationCodeOf(wireCode: number): ValidationCode | undefined {
  for (const [name, code] of Object.entries(VALIDATION_WIRE_CODES)) {
    if (code === wireCode) return name as ValidationCode;
  }
  return undefined;
}
