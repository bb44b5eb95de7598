/**
 * A client of Azion's v4 REST API for KV namespaces, the only KV routes Azion offers (keys
 * live only inside edge Functions): create, list (every page), retrieve. It sends
 * `Authorization: Token <token>` through the shared transport (backends/http-transport.ts:
 * keep-alive connections, timeouts, retries on 429 and 5xx with bounded exponential backoff,
 * Retry-After honoured), and maps Azion's error envelope to kvadm's errors and exit codes.
 * Names are checked against Azion's rule before any request. The token never appears in a message.
 */
import { Transport, type TransportTuning, type WireResponse, parseHttpUrl } from '../backends/http-transport.js';
import {
  AuthError,
  ExitCode,
  KvadmError,
  NamespaceExistsError,
  NamespaceNotFoundError,
  RemoteError,
  UnreachableError,
  UsageError,
  ValidationError,
} from '../errors.js';
import { AZION_LIMITS } from '../limits.js';
import { DEFAULT_AZION_API_URL } from '../config/settings.js';
import { truncateText } from '../words.js';
import { validateAzionNamespaceName } from './names.js';
import type { AzionErrorBody, AzionNamespace, AzionNamespaceList } from './rest-types.js';

/** The transport's knobs (http-transport.ts) a caller may set, Azion's defaults aside. */
export interface AzionRestOptions extends Pick<TransportTuning, 'retries' | 'requestTimeoutMs' | 'sleep' | 'random'> {
  /** Base URL of the v4 API (default https://api.azion.com/v4). */
  apiUrl?: string;
  /** A personal token from Azion Console; required before any request. */
  token: string | undefined;
  /** First backoff in ms (default 500); doubles each retry up to `maxBackoffMs`. */
  retryBaseMs?: number;
  /** Longest wait between attempts, Retry-After included (default 30 s). */
  maxBackoffMs?: number;
  /** Page size when listing, 1..1000 (default 1000: fewest requests). */
  pageSize?: number;
}

interface AzionFailure {
  status: number;
  code: string | undefined;
  message: string;
}

const NAMESPACES_PATH = '/workspace/kv/namespaces';
/**
 * How Azion says "this name is taken". Its API description lists 400 (not 409) for a failed
 * create and documents no code for a duplicate, so besides 409 a 400 whose code or message
 * speaks of existence counts.
 */
const EXISTS_WORDS = /already.?exist|duplicat|not.?unique|unique.?constraint|conflict|in use|taken/i;
const TOKEN_HINT = 'set a personal token from Azion Console: kvadm config set azion-token TOKEN (or KVADM_AZION_TOKEN)';

export class AzionRestClient {
  readonly location: string;
  private readonly transport: Transport;
  private readonly hasToken: boolean;
  private readonly pageSize: number;

  constructor(options: AzionRestOptions) {
    const { apiUrl, token, pageSize, retryBaseMs = 500, maxBackoffMs = 30_000, ...tuning } = options;
    this.transport = new Transport({
      ...tuning,
      url: parseHttpUrl(apiUrl ?? DEFAULT_AZION_API_URL, {
        name: 'azion-api-url',
        example: `give the API's root, such as ${DEFAULT_AZION_API_URL}`,
        tokenHint: TOKEN_HINT,
      }),
      headers: { accept: 'application/json', 'user-agent': 'kvadm', ...(token ? { authorization: `Token ${token}` } : {}) },
      serverName: (location) => `the Azion API at ${location}`,
      unreachableHint: 'check your connection and azion-api-url (KVADM_AZION_API_URL; default https://api.azion.com/v4)',
      connections: 4,
      // One base for every retry, 429 included; Retry-After obeyed as asked, up to the longest backoff.
      retryBaseMs,
      rateLimitBaseMs: retryBaseMs,
      maxBackoffMs,
      maxRetryAfterMs: maxBackoffMs,
      retryAfterJitterMs: 0,
    });
    this.location = this.transport.location;
    this.hasToken = Boolean(token);
    this.pageSize = Math.min(Math.max(1, pageSize ?? AZION_LIMITS.namespacePageMaxSize), AZION_LIMITS.namespacePageMaxSize);
  }

  /** POST /workspace/kv/namespaces; NamespaceExistsError when the name is taken. */
  async createNamespace(name: string): Promise<AzionNamespace> {
    validateAzionNamespaceName(name);
    const reply = await this.send('POST', NAMESPACES_PATH, { body: JSON.stringify({ name }) });
    if (this.saysExists(reply)) {
      const retriedAfter = reply.earlierServerError;
      if (retriedAfter === undefined) throw new NamespaceExistsError(name);
      // An earlier attempt answered 5xx: Azion may have created the namespace then.
      throw new KvadmError(
        'NAMESPACE_EXISTS',
        `namespace '${name}' already exists (an earlier attempt answered HTTP ${retriedAfter} and may have created it)`,
        {
          exitCode: ExitCode.conflict,
          hint: `check with: kvadm ns info ${name} --backend azion`,
          details: { namespace: name },
        },
      );
    }
    return namespaceOf(this.success(reply));
  }

  /** GET /workspace/kv/namespaces/{name}; NamespaceNotFoundError on 404. */
  async getNamespace(name: string): Promise<AzionNamespace> {
    validateAzionNamespaceName(name);
    const reply = await this.send('GET', `${NAMESPACES_PATH}/${encodeURIComponent(name)}`);
    if (reply.status === 404) throw new NamespaceNotFoundError(name);
    return namespaceOf(this.success(reply));
  }

  /** Every namespace, following `pagination.has_next` page by page. */
  async listNamespaces(): Promise<AzionNamespace[]> {
    const all: AzionNamespace[] = [];
    for (let page = 1; ; page++) {
      const reply = await this.send('GET', NAMESPACES_PATH, { query: { page, page_size: this.pageSize } });
      const list = this.success(reply) as Partial<AzionNamespaceList>;
      if (!Array.isArray(list.results)) throw this.notTheApi(`answered GET ${NAMESPACES_PATH} without a "results" list`);
      all.push(...list.results.map(namespaceOf));
      // A page with nothing on it ends the walk even if has_next says otherwise: no endless loop.
      if (!list.pagination?.has_next || list.results.length === 0) return all;
    }
  }

  close(): Promise<void> {
    return this.transport.close();
  }

  /** One request through the transport (retries on 429, 5xx and connection errors); any final reply is returned. */
  private send(
    method: 'GET' | 'POST',
    path: string,
    options: { query?: Record<string, number>; body?: string } = {},
  ): Promise<WireResponse> {
    if (!this.hasToken) {
      throw new UsageError(`no Azion token: the Azion API (${this.location}) needs one for every request`, TOKEN_HINT);
    }
    // A create that may have reached Azion is not sent twice on a broken connection.
    return this.transport.request(method, path, { ...options, idempotent: method === 'GET' });
  }

  /** The parsed JSON body of a 2xx reply; kvadm's error for anything else. */
  private success(reply: WireResponse): unknown {
    if (reply.status < 200 || reply.status >= 300) throw this.error(reply);
    try {
      return JSON.parse(reply.body.toString('utf8'));
    } catch {
      throw this.notTheApi(`answered HTTP ${reply.status}, but not with JSON`);
    }
  }

  private saysExists(reply: WireResponse): boolean {
    if (reply.status === 409) return true;
    if (reply.status !== 400) return false;
    const { code, message } = this.failure(reply);
    return EXISTS_WORDS.test(`${code ?? ''} ${message}`);
  }

  private failure(reply: WireResponse): AzionFailure {
    let parsed: Partial<AzionErrorBody> | undefined;
    try {
      parsed = JSON.parse(reply.body.toString('utf8')) as Partial<AzionErrorBody>;
    } catch {
      parsed = undefined;
    }
    const error = parsed?.error;
    return {
      status: reply.status,
      code: typeof error?.code === 'string' ? error.code : undefined,
      message:
        typeof error?.message === 'string' ? error.message : truncateText(reply.body.toString('utf8'), 200) || `HTTP ${reply.status}`,
    };
  }

  private error(reply: WireResponse): KvadmError {
    const { status, code, message } = this.failure(reply);
    const said = `HTTP ${status}${code ? ` ${code}` : ''}: ${message}`;
    if (status === 401 || status === 403) {
      return new AuthError(`the Azion API refused the token (${said})`, `${TOKEN_HINT}; the token needs permission for KV Store`);
    }
    if (status === 400 || status === 422) {
      return new ValidationError('USAGE', `the Azion API refused the request (${said})`, { hint: 'fix the input and try again' });
    }
    if (status === 404) return this.notTheApi(`has no such route (${said})`);
    if (status === 429) {
      return new RemoteError(`the Azion API is still throttling after ${this.transport.attempts} attempts (${said})`, { status });
    }
    if (status === 502 || status === 503 || status === 504) {
      return new UnreachableError(`the Azion API answered ${said} after ${this.transport.attempts} attempts`, 'try again later');
    }
    return new RemoteError(`the Azion API answered ${said}`, { status, ...(code ? { azionCode: code } : {}) });
  }

  private notTheApi(what: string): KvadmError {
    return new KvadmError('REMOTE_NOT_API', `${this.location} ${what}: it does not look like Azion's v4 API`, {
      exitCode: ExitCode.usage,
      hint: `check azion-api-url (KVADM_AZION_API_URL): it is the API's root, ${DEFAULT_AZION_API_URL} for Azion itself`,
    });
  }
}

/** A namespace from a reply: the documented bare object, or one wrapped in `data` as other v4 routes do. */
function namespaceOf(value: unknown): AzionNamespace {
  const record = (value as { data?: unknown })?.data ?? value;
  const { name, created_at, last_modified } = (record ?? {}) as Partial<AzionNamespace>;
  if (typeof name !== 'string') {
    throw new RemoteError(`the Azion API answered without a namespace name: ${truncateText(JSON.stringify(value) ?? '', 200)}`);
  }
  return { name, created_at: created_at ?? null, last_modified: last_modified ?? null };
}
