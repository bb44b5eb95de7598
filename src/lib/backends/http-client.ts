/**
 * The HTTP backend's client of the Cloudflare-shaped protocol (docs/PROTOCOL.md): requests
 * through the shared transport (http-transport.ts: keep-alive connections, timeouts,
 * retries) with `Authorization: Bearer`, and the one mapping from the protocol's envelope
 * and failures to kvadm's errors. It never puts the token in a message.
 */
import { WIRE_CODES, validationCodeOf } from '../wire-codes.js';
import { AuthError, ExitCode, KvadmError, RemoteError, UnreachableError, ValidationError } from '../errors.js';
import { truncateText } from '../words.js';
import {
  type HttpUrlSetting,
  type RequestOptions,
  Transport,
  type TransportTuning,
  type WireResponse,
  parseHttpUrl,
} from './http-transport.js';

export type { RequestOptions, WireResponse } from './http-transport.js';

export interface HttpClientOptions extends TransportTuning {
  /** Base URL, e.g. http://127.0.0.1:8787/client/v4 */
  url: string;
  token?: string | undefined;
  /**
   * Tests only: send this clock's time with every request (`kvadm-test-now`), which a
   * server started with the hidden `--test-clock-header` flag uses as its own.
   */
  testClock?: () => number;
  /**
   * How messages name the URL setting (default: the http backend's --url / KVADM_URL and
   * --token / KVADM_TOKEN). The Azion backend's bridge is an HTTP backend on other settings.
   */
  settingNames?: HttpSettingNames;
}

/** The settings a client's URL and token come from, as its error messages name them. */
export interface HttpSettingNames {
  url: HttpUrlSetting;
  /** The hint when the server cannot be reached. */
  unreachableHint: string;
}

/** The http backend's own settings. */
const REMOTE_SETTINGS: HttpSettingNames = {
  url: {
    name: 'remote URL',
    example: 'give a base URL such as http://127.0.0.1:8787/client/v4 (--url or KVADM_URL)',
    tokenHint: 'pass the token with --token or KVADM_TOKEN',
  },
  unreachableHint: 'check the URL (--url, KVADM_URL) and that the server is running',
};

export interface WireFailure {
  status: number;
  code: number | undefined;
  message: string;
}

/** The path of the Cloudflare v4 API, which `kvadm serve` serves too (docs/PROTOCOL.md). */
const API_ROOT = '/client/v4';

export class HttpClient {
  readonly location: string;
  private readonly transport: Transport;
  private readonly testClock: (() => number) | undefined;

  constructor(options: HttpClientOptions) {
    const { url: text, token, testClock, settingNames = REMOTE_SETTINGS, ...tuning } = options;
    this.transport = new Transport({
      ...tuning,
      url: parseHttpUrl(text, settingNames.url),
      headers: { 'user-agent': 'kvadm', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      unreachableHint: settingNames.unreachableHint,
    });
    this.location = this.transport.location;
    this.testClock = testClock;
  }

  /** One request with retries; resolves with any final response (callers map failures with `result`, `failure` or `error`). */
  request(method: string, path: string, options: RequestOptions = {}): Promise<WireResponse> {
    if (!this.testClock) return this.transport.request(method, path, options);
    return this.transport.request(method, path, { ...options, headers: { 'kvadm-test-now': String(this.testClock()) } });
  }

  /** The parsed `result` of a successful JSON envelope; throws mapped errors otherwise. */
  async json<T>(method: string, path: string, options: RequestOptions = {}): Promise<T> {
    return this.result<T>(await this.request(method, path, options)) as T;
  }

  /** The parsed `result` of a 2xx response (null when absent); the mapped error otherwise. */
  result<T>(response: WireResponse): T | null {
    return (this.envelope(response).result ?? null) as T | null;
  }

  /** The parsed envelope of a 2xx response (`result` and `result_info`: a listing needs both, parsed once); the mapped error otherwise. */
  envelope(response: WireResponse): WireEnvelope {
    if (response.status < 200 || response.status >= 300) throw this.error(response);
    const envelope = parseEnvelope(response.body);
    // A web page or another API answering 200: the base URL points somewhere else.
    if (envelope === undefined || typeof envelope.success !== 'boolean') {
      throw this.notTheApi(`answered HTTP ${response.status}, but not with the KV API's JSON envelope`);
    }
    return envelope;
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
    if (status === 409 && code === WIRE_CODES.bulkSessionBusy) {
      return new KvadmError('NAMESPACE_BUSY', `${this.location}: ${message}`, {
        exitCode: ExitCode.conflict,
        hint: 'another import, copy or sync into this namespace is still running: run this again when it has finished',
      });
    }
    if (status === 404 && code === WIRE_CODES.bulkSessionNotFound) {
      // A staged import's session the server aborted (it heard nothing for too long): nothing of it was written.
      return new RemoteError(`${this.location}: ${message}`, { status, wireCode: code });
    }
    // Callers map 404s with the key and namespace codes first: any other is a route the server does not have.
    if (status === 404) return this.notTheApi(`has no such route (HTTP 404: ${message})`);
    if (status === 429) {
      return new RemoteError(`${this.location} is still rate limiting after ${this.transport.attempts} attempts: ${message}`, { status });
    }
    if (status === 502 || status === 503 || status === 504) {
      return new UnreachableError(`${this.location} answered HTTP ${status} (${message}) after ${this.transport.attempts} attempts`);
    }
    return new RemoteError(`${this.location} answered HTTP ${status}: ${message}`, {
      status,
      ...(code === undefined ? {} : { wireCode: code }),
    });
  }

  close(): Promise<void> {
    return this.transport.close();
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
    return this.transport.sleepBackoff(round);
  }
}

export interface WireEnvelope {
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
