/** The response envelope of docs/PROTOCOL.md and the one mapping from kvadm's errors to wire statuses and codes. */
import { KeyNotFoundError, KvadmError, NamespaceExistsError, NamespaceNotFoundError, ValidationError } from '../errors.js';
import type { ValidationCode } from '../errors.js';
import { VALIDATION_WIRE_CODES, WIRE_CODES } from '../wire-codes.js';

export { VALIDATION_WIRE_CODES, WIRE_CODES } from '../wire-codes.js';

export interface WireErrorItem {
  code: number;
  message: string;
}

export interface Envelope<T> {
  success: boolean;
  errors: WireErrorItem[];
  messages: unknown[];
  result: T;
  result_info?: Record<string, unknown>;
}

/** An error the server answers with as it is: a status, one wire code, a message, extra headers. */
export class WireError extends Error {
  constructor(
    readonly status: number,
    readonly code: number,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = 'WireError';
  }
}

export function badRequest(message: string): WireError {
  return new WireError(400, WIRE_CODES.badRequest, message);
}

export function success<T>(result: T, resultInfo?: Record<string, unknown>): Envelope<T> {
  return { success: true, errors: [], messages: [], result, ...(resultInfo ? { result_info: resultInfo } : {}) };
}

export function failure(code: number, message: string): Envelope<null> {
  return { success: false, errors: [{ code, message }], messages: [], result: null };
}

/** Fastify's own client errors (body limits, media types, multipart limits) carry these. */
interface FrameworkError {
  statusCode?: number;
  code?: string;
  message: string;
}

/** Status, code, message and headers for any error a handler throws. Unknown errors are 500s. */
export function toWire(error: unknown): WireError {
  if (error instanceof WireError) return error;
  if (error instanceof ValidationError) {
    return new WireError(error.httpStatus, VALIDATION_WIRE_CODES[error.code as ValidationCode] ?? WIRE_CODES.badRequest, error.wireMessage);
  }
  if (error instanceof KeyNotFoundError) return new WireError(404, WIRE_CODES.keyNotFound, "get: 'key not found'");
  if (error instanceof NamespaceNotFoundError) return new WireError(404, WIRE_CODES.namespaceNotFound, 'get: namespace not found');
  if (error instanceof NamespaceExistsError) {
    return new WireError(400, WIRE_CODES.namespaceExists, 'a namespace with this account ID and title already exists');
  }
  if (error instanceof KvadmError) return new WireError(400, WIRE_CODES.badRequest, error.message);
  const framework = error as FrameworkError;
  const status = framework.statusCode;
  if (typeof status === 'number' && status >= 400 && status < 500) {
    if (status === 413 || framework.code === 'FST_ERR_CTP_BODY_TOO_LARGE' || framework.code === 'FST_REQ_FILE_TOO_LARGE') {
      return new WireError(413, WIRE_CODES.bodyTooLarge, `Request body too large: ${framework.message}`);
    }
    return new WireError(status, WIRE_CODES.badRequest, framework.message);
  }
  return new WireError(500, WIRE_CODES.internal, 'internal server error');
}
