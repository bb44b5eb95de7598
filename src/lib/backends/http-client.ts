/**
 * The transport under the HTTP backend: node:http(s) with a keep-alive Agent, timeouts,
 * bounded retries with exponential backoff and jitter (429, 5xx, connection errors;
 * Retry-After honoured), and the one mapping from wire failures to kvadm's errors. It
 * never puts the token in a message.
 *
 * node:http rather than undici: loading undici cost 100–200 ms of every http command's
 * start (measured: `node -e` importing undici 0.28–0.56 s against 0.19–0.31 s for
 * node:http), and a few large requests in flight gain nothing from its pipelining.
 */
import http from 'node:http';
import https from 'node:https';
import { validationCodeOf } from '../wire-codes.js';
import { AuthError, ExitCode, KvadmError, RemoteError, UnreachableError, UsageError, ValidationError } from '../errors.js';
import { truncateText } from '../words.js';
import { codedError, describeNetworkError, errorCode, tlsFailure } from './http-network-errors.js';

export interface HttpClientOptions {
  /** Base URL, e.g. http://127.0.0.1:8787/client/v4 */
  url: string;
  token?: string | undefined;
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
  /**
   * Tests only: send this clock's time with every request (`kvadm-test-now`), which a
   * server started with the hidden `--test-clock-header` flag uses as its own.
   */
  testClock?: () => number;
  /** Injected for tests. */
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
}

export interface WireResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

export interface WireFailure {
  status: number;
  code: number | undefined;
  message: string;
}

export interface RequestOptions {
  query?: Record<string, string | number | undefined>;
  body?: string | Buffer;
  contentType?: string;
  /** False for requests that must not be repeated once the server may have seen them (create). */
  idempotent?: boolean;
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
const MAX_BACKOFF_MS = 30_000;
/** The path of the Cloudflare v4 API, which `kvadm serve` serves too (docs/PROTOCOL.md). */
const API_ROOT = '/client/v4';

export class HttpClient {
  readonly location: string;
  private readonly basePath: string;
  private readonly target: { protocol: 'http:' | 'https:'; hostname: string; port: string };
  private readonly agent: http.Agent;
  private readonly connectTimeoutMs: number;
  private readonly headers: Record<string, string>;
  private readonly retries: number;
  private readonly retryBaseMs: number;
  private readonly rateLimitBaseMs: number;
  private readonly requestTimeoutMs: number;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly random: () => number;
  private readonly testClock: (() => number) | undefined;

  constructor(options: HttpClientOptions) {
    const url = parseBaseUrl(options.url);
    this.location = `${url.origin}${url.pathname}`.replace(/\/+$/, '');
    this.basePath = url.pathname.replace(/\/+$/, '');
    this.retries = options.retries ?? 4;
    this.retryBaseMs = options.retryBaseMs ?? 250;
    this.rateLimitBaseMs = options.rateLimitBaseMs ?? 1000;
    this.requestTimeoutMs = options.requestTimeoutMs ?? 60_000;
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
    this.random = options.random ?? Math.random;
    this.testClock = options.testClock;
    this.headers = { 'user-agent': 'kvadm', ...(options.token ? { authorization: `Bearer ${options.token}` } : {}) };
    this.connectTimeoutMs = options.connectTimeoutMs ?? 10_000;
    const protocol = url.protocol === 'https:' ? 'https:' : 'http:';
    // URL keeps an IPv6 address in brackets; a socket wants it bare.
    this.target = { protocol, hostname: url.hostname.replace(/^\[|\]$/g, ''), port: url.port };
    const agentOptions = { keepAlive: true, maxSockets: options.connections ?? 8, timeout: KEEP_ALIVE_MS, noDelay: true };
    this.agent = protocol === 'https:' ? new https.Agent(agentOptions) : new http.Agent(agentOptions);
  }

  /** One request with retries; resolves with any final response (callers map failures with `result`, `failure` or `error`). */
  async request(method: string, path: string, options: RequestOptions = {}): Promise<WireResponse> {
    const fullPath = this.basePath + path + queryString(options.query);
    const headers: Record<string, string> = { ...this.headers };
    if (options.body !== undefined) headers['content-type'] = options.contentType ?? 'application/json';
    if (this.testClock) headers['kvadm-test-now'] = String(this.testClock());
    for (let attempt = 0; ; attempt++) {
      let response: WireResponse;
      try {
        response = await this.send(method, fullPath, headers, options.body);
      } catch (error) {
        const tls = tlsFailure(error, this.location);
        // A certificate or protocol mismatch is the same on every attempt: no retries.
        if (tls) throw tls;
        const code = errorCode(error) ?? '';
        const retryable = options.idempotent !== false || NOT_SENT_CODES.has(code);
        if (attempt < this.retries && retryable) {
          await this.sleep(this.backoff(this.retryBaseMs, attempt));
          continue;
        }
        throw new UnreachableError(
          `cannot reach ${this.location} (${describeNetworkError(error)}) after ${attempt + 1} attempt${attempt === 0 ? '' : 's'}`,
          'check the URL (--url, KVADM_URL) and that the server is running',
          error,
        );
      }
      if (RETRYABLE_STATUS.has(response.status) && attempt < this.retries) {
        await this.sleep(this.retryDelay(response, attempt));
        continue;
      }
      return response;
    }
  }

  /** The parsed `result` of a successful JSON envelope; throws mapped errors otherwise. */
  async json<T>(method: string, path: string, options: RequestOptions = {}): Promise<T> {
    return this.result<T>(await this.request(method, path, options)) as T;
  }

  /** The parsed `result` of a 2xx response (null when absent); the mapped error otherwise. */
  result<T>(response: WireResponse): T | null {
    if (response.status < 200 || response.status >= 300) throw this.error(response);
    const envelope = parseEnvelope(response.body);
    // A web page or another API answering 200: the base URL points somewhere else.
    if (envelope === undefined || typeof envelope.success !== 'boolean') {
      throw this.notTheApi(`answered HTTP ${response.status}, but not with the KV API's JSON envelope`);
    }
    return (envelope.result ?? null) as T | null;
  }

  /** The status, first error code and message of a failed response. */
  failure(response: WireResponse): WireFailure {
    const envelope = parseEnvelope(response.body);
    const first = envelope?.errors?.[0];
    return {
      status: response.status,
      code: typeof first?.code === 'number' ? first.code : undefined,
      message:
        typeof first?.message === 'string' ? first.message : truncateText(response.body.toString('utf8'), 200) || `HTTP ${response.status}`,
    };
  }

  /** kvadm's error for a failed response (namespace and key errors are mapped by the caller first). */
  error(response: WireResponse): Error {
    const { status, code, message } = this.failure(response);
    if (status === 401 || status === 403) {
      return new AuthError(`${this.location} refused the credentials (HTTP ${status}: ${message})`);
    }
    if (status === 400 || status === 413 || status === 414) {
      return new ValidationError(validationCodeOf(code ?? 0) ?? 'USAGE', message, {
        httpStatus: status,
        wireMessage: message,
        hint: 'the server refused the request; fix the input and try again',
      });
    }
    // Callers map 404s with the key and namespace codes first: any other is a route the server does not have.
    if (status === 404) return this.notTheApi(`has no such route (HTTP 404: ${message})`);
    if (status === 429) {
      return new RemoteError(`${this.location} is still rate limiting after ${this.retries + 1} attempts: ${message}`, { status });
    }
    if (status === 502 || status === 503 || status === 504) {
      return new UnreachableError(`${this.location} answered HTTP ${status} (${message}) after ${this.retries + 1} attempts`);
    }
    return new RemoteError(`${this.location} answered HTTP ${status}: ${message}`, {
      status,
      ...(code === undefined ? {} : { wireCode: code }),
    });
  }

  async close(): Promise<void> {
    // Idle connections close; requests still in flight were given up by their caller (an
    // interrupted job): they are not waited for.
    this.agent.destroy();
  }

  /** One attempt: the response with its whole body, or the socket's error. */
  private send(method: string, path: string, headers: Record<string, string>, body: string | Buffer | undefined): Promise<WireResponse> {
    return new Promise((resolve, reject) => {
      const transport = this.target.protocol === 'https:' ? https : http;
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

  /** The base URL does not lead to the KV API: exit 2, with a hint about the path. */
  private notTheApi(what: string): KvadmError {
    const path = new URL(this.location).pathname.replace(/\/+$/, '');
    const hint = path.endsWith(API_ROOT)
      ? `check the base URL (--url or KVADM_URL): it is the API's root, such as http://127.0.0.1:8787${API_ROOT}`
      : `the base URL is the API's root, usually ending in ${API_ROOT}: try --url ${this.location}${API_ROOT}`;
    return new KvadmError('REMOTE_NOT_API', `${this.location} ${what}: it does not look like a KV API base URL`, {
      exitCode: ExitCode.usage,
      hint,
    });
  }

  /** Wait before resending keys a server refused for now (the per-key write limit). */
  sleepBackoff(round: number): Promise<void> {
    return this.sleep(this.backoff(this.rateLimitBaseMs, round));
  }

  /** Exponential from `base`, with full-range jitter between half and one and a half times. */
  backoff(base: number, attempt: number): number {
    return Math.min(MAX_BACKOFF_MS, base * 2 ** attempt) * (0.5 + this.random());
  }

  private retryDelay(response: WireResponse, attempt: number): number {
    if (response.status !== 429) return this.backoff(this.retryBaseMs, attempt);
    const backoff = this.backoff(this.rateLimitBaseMs, attempt);
    const retryAfter = retryAfterMs(response.headers['retry-after']);
    // Never earlier than the server asked; a little jitter so clients do not return in step.
    return retryAfter === undefined ? backoff : retryAfter + this.random() * 250;
  }
}

function parseBaseUrl(text: string): URL {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new UsageError(
      `invalid remote URL ${JSON.stringify(text)}`,
      'give a base URL such as http://127.0.0.1:8787/client/v4 (--url or KVADM_URL)',
    );
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new UsageError(`unsupported URL scheme ${url.protocol} in ${JSON.stringify(text)}`, 'use an http:// or https:// URL');
  }
  if (url.username || url.password) {
    throw new UsageError('the remote URL must not carry credentials', 'pass the token with --token or KVADM_TOKEN');
  }
  return url;
}

function queryString(query: RequestOptions['query']): string {
  if (!query) return '';
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(query)) if (value !== undefined) params.set(name, String(value));
  const text = params.toString();
  return text ? `?${text}` : '';
}

interface WireEnvelope {
  success?: boolean;
  errors?: Array<{ code?: unknown; message?: unknown }>;
  result?: unknown;
  result_info?: Record<string, unknown>;
}

export function parseEnvelope(body: Buffer): WireEnvelope | undefined {
  try {
    const parsed = JSON.parse(body.toString('utf8'));
    return typeof parsed === 'object' && parsed !== null ? (parsed as WireEnvelope) : undefined;
  } catch {
    return undefined;
  }
}

/** Retry-After as seconds or an HTTP date, in ms; undefined when absent or unreadable. */
function retryAfterMs(header: string | string[] | undefined): number | undefined {
  const value = Array.isArray(header) ? header[0] : header;
  if (value === undefined || value === '') return undefined;
  if (/^\d+$/.test(value.trim())) return Math.min(Number(value) * 1000, MAX_BACKOFF_MS * 4);
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, Math.min(at - Date.now(), MAX_BACKOFF_MS * 4));
}
