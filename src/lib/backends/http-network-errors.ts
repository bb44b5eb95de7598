/**
 * What went wrong with a connection, in words: socket and TLS failures named by their
 * codes, one line each (OpenSSL's messages span several), and the certificate problems a
 * user can act on.
 */
import { UnreachableError } from '../errors.js';

/** An error carrying a code, as the socket's own errors do. */
export function codedError(code: string, message: string): Error {
  return Object.assign(new Error(message), { code });
}

/**
 * The error's code, or its cause's (some transports wrap the socket's error). A TLS
 * record error surfaces from the socket as EPROTO with OpenSSL's reason in the message;
 * it is named the way Node names TLS errors (ERR_SSL_WRONG_VERSION_NUMBER).
 */
export function errorCode(error: unknown): string | undefined {
  const { code, cause, message } = (error ?? {}) as { code?: unknown; cause?: { code?: unknown }; message?: unknown };
  if (code === 'EPROTO' && typeof message === 'string') {
    const reason = /:SSL routines:[^:]*:([^:]+):/.exec(message)?.[1];
    if (reason) return `ERR_SSL_${reason.trim().toUpperCase().replace(/\W+/g, '_')}`;
  }
  if (typeof code === 'string') return code;
  return typeof cause?.code === 'string' ? cause.code : undefined;
}

/** One line: OpenSSL's messages span several, with file names and line numbers. */
function firstLine(text: string): string {
  return (text.split('\n', 1)[0] ?? '')
    .replace(/^[0-9A-F]+:error:[0-9A-F]+:/, '')
    .replace(/:\.\.\/deps\/.*$/, '')
    .trim();
}

export function describeNetworkError(error: unknown): string {
  const code = errorCode(error);
  const message = firstLine((error as { message?: string })?.message ?? String(error));
  return code ? `${code}${message && message !== code ? `: ${message}` : ''}` : message;
}

/** What a TLS failure means for the user, by OpenSSL's and Node's codes. */
const CERTIFICATE_PROBLEMS: Record<string, string> = {
  DEPTH_ZERO_SELF_SIGNED_CERT: 'its certificate is self-signed',
  SELF_SIGNED_CERT_IN_CHAIN: 'its certificate chain ends in a self-signed certificate that is not trusted',
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'its certificate is not signed by a trusted authority',
  UNABLE_TO_GET_ISSUER_CERT: 'its certificate is not signed by a trusted authority',
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: 'its certificate is not signed by a trusted authority',
  CERT_HAS_EXPIRED: 'its certificate has expired',
  CERT_NOT_YET_VALID: 'its certificate is not valid yet',
  ERR_TLS_CERT_ALTNAME_INVALID: 'its certificate is for another host name',
};

/** A readable exit-6 error for a failed TLS handshake; undefined when `error` is not one. */
export function tlsFailure(error: unknown, location: string): UnreachableError | undefined {
  const code = errorCode(error);
  if (code === undefined) return undefined;
  const problem = CERTIFICATE_PROBLEMS[code];
  if (problem) {
    return new UnreachableError(
      `TLS connection to ${location} refused: ${problem} (${code})`,
      "trust the server's certificate authority with NODE_EXTRA_CA_CERTS=/path/to/ca.pem, or use a URL whose certificate is valid",
      error,
    );
  }
  if (code.startsWith('ERR_SSL_') || code === 'EPROTO') {
    const plain = location.replace(/^https:/, 'http:');
    return new UnreachableError(
      `TLS connection to ${location} failed: the server did not answer TLS (${code})`,
      location.startsWith('https:') ? `if the server speaks plain HTTP, use ${plain}` : 'check the URL and the server',
      error,
    );
  }
  return undefined;
}
