/**
 * The one HTTP transport of kvadm's remote clients (HttpClient for the Cloudflare-shaped
 * protocol, AzionRestClient for Azion's v4 API): node:http(s) with a keep-alive Agent,
 * connect and request timeouts, and bounded retries with exponential backoff and jitter on
 * 429, 5xx and connection errors, Retry-After honoured. A request that must not be repeated
 * (a create) is sent again only when the connection failed before it was sent. Both check
 * their base URL with parseHttpUrl, each naming its own setting; each keeps its own mapping
 * of failed responses to kvadm's errors; this file names only what never got an answer
 * (http-network-errors.ts). It never sees a token other than as a header, and never puts
 * one in a message.
 *
 * node:http rather than undici: loading undici cost 100–200 ms of every remote command's
 * start (measured: `node -e` importing undici 0.28–0.56 s against 0.19–0.31 s for
 * node:http), and a few large requests in flight gain nothing from its pipelining.
 * node:https loads only for an https URL (lazy-builtins.ts).
 */
import http from 'node:http';
import { UnreachableError, UsageError } from '../errors.js';
import { https } from '../lazy-builtins.js';
import { codedError, describeNetworkError, errorCode, tlsFailure } from './http-network-errors.js';

export interface WireResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
  /** The last 5xx an earlier attempt of this request met: the server may have carried that attempt out. */
  earlierServerError?: number | undefined;
}

export interface RequestOptions {
  query?: Record<string, string | number | undefined>;
  body?: string | Buffer;
  contentType?: string;
  /** False for requests that must not be repeated once the server may have seen them (create). */
  idempotent?: boolean;
  /** Sent with this request besides the transport's own headers. */
  headers?: Record<string, string>;
  /** Retries of this request, instead of the transport's own number. */
  retries?: number;
}

/** How hard a client tries: what its callers may tune. */
export interface TransportTuning {
  /** Retries after the first attempt (default 4). */
  retries?: number;
  /** First backoff for connection errors and 5xx, in ms (default 250); doubles each retry. */
  retryBaseMs?: number;
  /** First backoff for 429 without Retry-After, in ms (default 1000, the per-key write window). */
  rateLimitBaseMs?: number;
  /** Connections in the keep-alive pool (default 8). */
  connections?: number;
  connectTimeoutMs?: number;
  /** Time to wait for response headers, and between body chunks (default 60 s). */
  requestTimeoutMs?: number;
  /** Injected for tests. */
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
}

export interface TransportOptions extends TransportTuning {
  /** The checked base URL; its path is put before every request's. */
  url: URL;
  /** Sent with every request (user agent, authorization). */
  headers: Record<string, string>;
  /** How messages name the server at this base URL (default: the base URL alone). */
  serverName?: (location: string) => string;
  /** What to check when the server cannot be reached. */
  unreachableHint: string;
  /** Longest backoff between attempts (default 30 s). */
  maxBackoffMs?: number;
  /** Longest Retry-After obeyed (default 120 s). */
  maxRetryAfterMs?: number;
  /** Up to this many ms added at random to a Retry-After wait, so clients do not return in step (default 250). */
  retryAfterJitterMs?: number;
}

/** How the refusals of parseHttpUrl name the URL's setting and say how to give a good one. */
export interface HttpUrlSetting {
  /** The setting in messages: "remote URL", "azion-api-url". */
  name: string;
  /** The hint for a value that is not a URL: an example of a good one, and where it is set. */
  example: string;
  /** The hint for a URL carrying user:password@: where the token goes instead. */
  tokenHint: string;
}

/**
 * A client's base URL, checked: a URL, http or https, and no credentials in it (the
 * transport sends only its own authorization header, so they would be dropped unsaid).
 * Throws UsageError (exit 2) naming the setting.
 */
export function parseHttpUrl(text: string, setting: HttpUrlSetting): URL {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new UsageError(`invalid ${setting.name} ${JSON.stringify(text)}`, setting.example);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new UsageError(
      `unsupported URL scheme ${url.protocol} in ${setting.name} ${JSON.stringify(text)}`,
      'use an http:// or https:// URL',
    );
  }
  if (url.username || url.password) throw new UsageError(`the ${setting.name} must not carry credentials`, setting.tokenHint);
  return url;
}

/** The code of a connection that was not made within `connectTimeoutMs`. */
const CONNECT_TIMEOUT = 'ECONNECT_TIMEOUT';
/** The code of a server that sent nothing for `requestTimeoutMs`. */
const REQUEST_TIMEOUT = 'EREQUEST_TIMEOUT';
/** How long an idle connection is kept (below `kvadm serve`'s 5 s, so the server never closes one as it is reused). */
const KEEP_ALIVE_MS = 4_000;
const RETRYABLE_STATUS = new Set([429, 500, 502, 503, 504]);
/** Errors that mean the request never reached the server, so even a create may be retried. */
const NOT_SENT_CODES = new Set(['ECONNREFUSED', CONNECT_TIMEOUT, 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);

export class Transport {
  readonly location: string;
  /** Attempts a request gets before its last answer is final (for messages such as "after 5 attempts"). */
  readonly attempts: number;
  private readonly basePath: string;
  private readonly target: { protocol: 'http:' | 'https:'; hostname: string; port: string };
  private readonly agent: http.Agent;
  private readonly headers: Record<string, string>;
  private readonly serverName: string;
  private readonly unreachableHint: string;
  private readonly retries: number;
  private readonly retryBaseMs: number;
  private readonly rateLimitBaseMs: number;
  private readonly maxBackoffMs: number;
  private readonly maxRetryAfterMs: number;
  private readonly retryAfterJitterMs: number;
  private readonly connectTimeoutMs: number;
  private readonly requestTimeoutMs: number;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly random: () => number;

  constructor(options: TransportOptions) {
    const { url } = options;
    this.location = `${url.origin}${url.pathname}`.replace(/\/+$/, '');
    this.basePath = url.pathname.replace(/\/+$/, '');
    this.headers = options.headers;
    this.serverName = options.serverName?.(this.location) ?? this.location;
    this.unreachableHint = options.unreachableHint;
    this.retries = options.retries ?? 4;
    this.attempts = this.retries + 1;
    this.retryBaseMs = options.retryBaseMs ?? 250;
    this.rateLimitBaseMs = options.rateLimitBaseMs ?? 1000;
    this.maxBackoffMs = options.maxBackoffMs ?? 30_000;
    this.maxRetryAfterMs = options.maxRetryAfterMs ?? 120_000;
    this.retryAfterJitterMs = options.retryAfterJitterMs ?? 250;
    this.connectTimeoutMs = options.connectTimeoutMs ?? 10_000;
    this.requestTimeoutMs = options.requestTimeoutMs ?? 60_000;
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
    this.random = options.random ?? Math.random;
    const protocol = url.protocol === 'https:' ? 'https:' : 'http:';
    // URL keeps an IPv6 address in brackets; a socket wants it bare.
    this.target = { protocol, hostname: url.hostname.replace(/^\[|\]$/g, ''), port: url.port };
    const agentOptions = { keepAlive: true, maxSockets: options.connections ?? 8, timeout: KEEP_ALIVE_MS, noDelay: true };
    this.agent = protocol === 'https:' ? new (https().Agent)(agentOptions) : new http.Agent(agentOptions);
  }

  /** One request with retries; resolves with any final response (the client maps failed ones). */
  async request(method: string, path: string, options: RequestOptions = {}): Promise<WireResponse> {
    const fullPath = this.basePath + path + queryString(options.query);
    const headers: Record<string, string> = { ...this.headers, ...options.headers };
    if (options.body !== undefined) headers['content-type'] = options.contentType ?? 'application/json';
    let earlierServerError: number | undefined;
    const retries = options.retries ?? this.retries;
    for (let attempt = 0; ; attempt++) {
      let response: WireResponse;
      try {
        response = await this.send(method, fullPath, headers, options.body);
      } catch (error) {
        const tls = tlsFailure(error, this.location);
        // A certificate or protocol mismatch is the same on every attempt: no retries.
        if (tls) throw tls;
        const retryable = options.idempotent !== false || NOT_SENT_CODES.has(errorCode(error) ?? '');
        if (attempt < retries && retryable) {
          await this.sleep(this.backoff(this.retryBaseMs, attempt));
          continue;
        }
        throw new UnreachableError(
          `cannot reach ${this.serverName} (${describeNetworkError(error)}) after ${attempt + 1} attempt${attempt === 0 ? '' : 's'}`,
          this.unreachableHint,
          error,
        );
      }
      if (RETRYABLE_STATUS.has(response.status) && attempt < retries) {
        if (response.status >= 500) earlierServerError = response.status;
        await this.sleep(this.retryDelay(response, attempt));
        continue;
      }
      return earlierServerError === undefined ? response : { ...response, earlierServerError };
    }
  }

  /** Wait before resending what a server refused for now (the per-key write limit). */
  sleepBackoff(round: number): Promise<void> {
    return this.sleep(this.backoff(this.rateLimitBaseMs, round));
  }

  async close(): Promise<void> {
    // Idle connections close; requests still in flight were given up by their caller (an
    // interrupted job): they are not waited for.
    this.agent.destroy();
  }

  /** Exponential from `base`, capped, with full-range jitter between half and one and a half times. */
  private backoff(base: number, attempt: number): number {
    return Math.min(this.maxBackoffMs, base * 2 ** attempt) * (0.5 + this.random());
  }

  /** Never earlier than Retry-After asks (up to `maxRetryAfterMs`); the backoff otherwise. */
  private retryDelay(response: WireResponse, attempt: number): number {
    const asked = retryAfterMs(response.headers['retry-after']);
    if (asked !== undefined) return Math.min(asked, this.maxRetryAfterMs) + this.random() * this.retryAfterJitterMs;
    return this.backoff(response.status === 429 ? this.rateLimitBaseMs : this.retryBaseMs, attempt);
  }

  /** One attempt: the response with its whole body, or the socket's error. */
  private send(method: string, path: string, headers: Record<string, string>, body: string | Buffer | undefined): Promise<WireResponse> {
    return new Promise((resolve, reject) => {
      const transport = this.target.protocol === 'https:' ? https() : http;
      const request = transport.request(
        { ...this.target, method, path, headers, agent: this.agent, timeout: this.requestTimeoutMs },
        (response) => {
          const chunks: Buffer[] = [];
          let length = 0;
          response.on('data', (chunk: Buffer) => {
            chunks.push(chunk);
            length += chunk.byteLength;
          });
          response.on('end', () =>
            resolve({
              status: response.statusCode ?? 0,
              headers: response.headers,
              body: chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks, length),
            }),
          );
          response.on('error', reject);
        },
      );
      request.on('error', reject);
      // Between the request and its headers, and between body chunks: the socket's inactivity.
      request.on('timeout', () => request.destroy(codedError(REQUEST_TIMEOUT, `no answer for ${this.requestTimeoutMs} ms`)));
      request.on('socket', (socket) => {
        if (!socket.connecting) return;
        const timer = setTimeout(
          () => request.destroy(codedError(CONNECT_TIMEOUT, `connection not made within ${this.connectTimeoutMs} ms`)),
          this.connectTimeoutMs,
        );
        socket.once('connect', () => clearTimeout(timer));
        request.once('close', () => clearTimeout(timer));
      });
      if (body !== undefined) request.setHeader('content-length', Buffer.byteLength(body));
      request.end(body);
    });
  }
}

function queryString(query: RequestOptions['query']): string {
  if (!query) return '';
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(query)) if (value !== undefined) params.set(name, String(value));
  const text = params.toString();
  return text ? `?${text}` : '';
}

/** Retry-After as seconds or an HTTP date, in ms; undefined when absent or unreadable. */
function retryAfterMs(header: string | string[] | undefined, now: number = Date.now()): number | undefined {
  const value = (Array.isArray(header) ? header[0] : header)?.trim();
  if (!value) return undefined;
  if (/^\d+$/.test(value)) return Number(value) * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}
