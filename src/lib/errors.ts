/**
 * kvadm's error hierarchy. Every error a user can cause is a KvadmError carrying a
 * stable code, an exit code (the CLI's interface, see README) and a hint saying what
 * to do. Anything else reaching the top is a bug and exits 1.
 */
import { truncateText } from './words.js';
export const ExitCode = {
  ok: 0,
  failure: 1,
  usage: 2,
  notFound: 3,
  conflict: 4,
  auth: 5,
  unreachable: 6,
  /** `kvadm diff`: the two stores differ (not an error; 1 stays "unexpected failure"). */
  differ: 10,
  interrupted: 130,
} as const;
export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];

export interface ErrorDetails {
  key?: string;
  namespace?: string;
  limit?: number;
  actual?: number;
  [field: string]: unknown;
}

export class KvadmError extends Error {
  readonly code: string;
  readonly exitCode: ExitCodeValue;
  readonly hint: string | undefined;
  readonly details: ErrorDetails;

  constructor(code: string, message: string, options: { exitCode: ExitCodeValue; hint?: string; details?: ErrorDetails; cause?: unknown }) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.exitCode = options.exitCode;
    this.hint = options.hint;
    this.details = options.details ?? {};
  }

  toJSON(): Record<string, unknown> {
    return { code: this.code, message: this.message, hint: this.hint, ...this.details };
  }
}

/** Codes of validation failures; stable, documented in the README. */
export type ValidationCode =
  | 'KEY_EMPTY'
  | 'KEY_RESERVED'
  | 'KEY_INVALID'
  | 'KEY_TOO_LONG'
  | 'VALUE_TOO_LARGE'
  | 'METADATA_INVALID'
  | 'METADATA_TOO_LARGE'
  | 'EXPIRATION_TTL_INVALID'
  | 'EXPIRATION_INVALID'
  | 'CACHE_TTL_INVALID'
  | 'NAMESPACE_NAME_INVALID'
  | 'VALUE_INVALID'
  | 'LIST_LIMIT_INVALID'
  | 'CURSOR_INVALID'
  | 'ENTRY_INVALID'
  | 'KEY_MISSING'
  | 'VALUE_MISSING'
  | 'BASE64_INVALID'
  | 'FIELD_INVALID'
  | 'USAGE';

/**
 * A limit or shape violation: exit 2. `httpStatus` is what the server answers. When it
 * concerns a key (`options.key`), the message starts with that key (`key "a": …`), the
 * key is the first of the details, and `reason` is the message without it, for reports
 * that show the key in a column of its own.
 */
export class ValidationError extends KvadmError {
  readonly httpStatus: 400 | 413 | 414;
  /** The message without kvadm's context, worded as docs/PROTOCOL.md gives it (what the server sends). */
  readonly wireMessage: string;
  /** The rule broken, without the key it concerns (the whole message when it concerns none). */
  readonly reason: string;
  constructor(
    code: ValidationCode,
    reason: string,
    options: {
      /** The key the error concerns: named at the start of the message and in the details. */
      key?: string | undefined;
      hint?: string;
      details?: ErrorDetails;
      httpStatus?: 400 | 413 | 414;
      wireMessage?: string;
      cause?: unknown;
    } = {},
  ) {
    const { key, ...rest } = options;
    const message = key === undefined ? reason : `key ${displayKey(key)}: ${reason}`;
    super(code, message, { ...rest, exitCode: ExitCode.usage, ...(key === undefined ? {} : { details: { key, ...rest.details } }) });
    this.httpStatus = options.httpStatus ?? 400;
    this.wireMessage = options.wireMessage ?? message;
    this.reason = reason;
  }
}

/** A key as it should appear in a message: quoted, control characters escaped, long keys cut. */
export function displayKey(key: string): string {
  // Escape only what can show: escaping all of a key megabytes long (a bad bulk file) cost
  // seconds. Cut by graphemes so an emoji (or a letter with its accent) is never split.
  // Up to 82 characters show whole; a longer key shows its first 78 and an ellipsis.
  const quoted = JSON.stringify(key.length > 200 ? key.slice(0, 200) : key);
  return truncateText(quoted, 82, '…"') === quoted ? quoted : truncateText(quoted, 80, '…"');
}

/** A missing key is a normal answer for a script: one line on stderr, no hint line. */
export class KeyNotFoundError extends KvadmError {
  constructor(key: string, namespace: string) {
    super('KEY_NOT_FOUND', `key ${displayKey(key)} not found in namespace '${namespace}'`, {
      exitCode: ExitCode.notFound,
      details: { key, namespace },
    });
  }
}

export class NamespaceNotFoundError extends KvadmError {
  constructor(namespace: string) {
    super('NAMESPACE_NOT_FOUND', `namespace '${namespace}' not found`, {
      exitCode: ExitCode.notFound,
      hint: `create it with: kvadm ns create ${namespace} (or list namespaces with: kvadm ns list)`,
      details: { namespace },
    });
  }
}

export class NamespaceExistsError extends KvadmError {
  constructor(namespace: string) {
    super('NAMESPACE_EXISTS', `namespace '${namespace}' already exists`, {
      exitCode: ExitCode.conflict,
      hint: 'choose another name, or use the existing namespace',
      details: { namespace },
    });
  }
}

export class UsageError extends KvadmError {
  constructor(message: string, hint?: string, details?: ErrorDetails) {
    super('USAGE', message, { exitCode: ExitCode.usage, ...(hint ? { hint } : {}), ...(details ? { details } : {}) });
  }
}

export class AuthError extends KvadmError {
  constructor(message: string, hint = 'check the token (--token, KVADM_TOKEN or the profile setting)') {
    super('AUTH_FAILED', message, { exitCode: ExitCode.auth, hint });
  }
}

export class UnreachableError extends KvadmError {
  constructor(message: string, hint = 'check the URL and that the server is running', cause?: unknown) {
    super('REMOTE_UNREACHABLE', message, { exitCode: ExitCode.unreachable, hint, cause });
  }
}

/** The remote answered with something we cannot map to a user error. */
export class RemoteError extends KvadmError {
  constructor(message: string, details?: ErrorDetails) {
    super('REMOTE_ERROR', message, { exitCode: ExitCode.failure, ...(details ? { details } : {}) });
  }
}

/** Ctrl-C at a prompt, or SIGINT during an operation. */
export class InterruptedError extends KvadmError {
  constructor() {
    super('INTERRUPTED', 'interrupted', { exitCode: ExitCode.interrupted });
  }
}

export function isKvadmError(error: unknown): error is KvadmError {
  return error instanceof KvadmError;
}
