/**
 * A stand-in for Azion's v4 KV namespaces API, written from the shapes issue 8 quotes:
 * a real node:http server on port 0 that records every request. Routes:
 * POST /v4/workspace/kv/namespaces {name} → 201 {name, created_at, last_modified};
 * GET /v4/workspace/kv/namespaces?page=&page_size= → {results, pagination}; GET …/{name}.
 * Auth is `Authorization: Token <token>`; errors are {state:"error", error:{code,message,details}}.
 * Azion documents 400 (no 409) for a failed create and no code for a duplicate name, so the
 * duplicate reply is a setting (`duplicateStatus`), with an "already exists" message.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  headers: http.IncomingHttpHeaders;
  body: string;
}

export interface ScriptedReply {
  status: number;
  headers?: Record<string, string>;
  body?: string;
}

interface StoredNamespace {
  name: string;
  created_at: string;
  last_modified: string;
}

export class AzionApiStandIn {
  readonly requests: RecordedRequest[] = [];
  readonly namespaces = new Map<string, StoredNamespace>();
  /** Replies sent, in order, before normal handling (throttling, outages). */
  readonly script: ScriptedReply[] = [];
  token = 'azion-test-token-0123456789';
  duplicateStatus: 400 | 409 = 400;
  /** Base URL, http://127.0.0.1:PORT/v4 */
  url = '';
  private readonly server = http.createServer((req, res) => this.handle(req, res));

  static async start(): Promise<AzionApiStandIn> {
    const standIn = new AzionApiStandIn();
    await new Promise<void>((resolve) => standIn.server.listen(0, '127.0.0.1', resolve));
    standIn.url = `http://127.0.0.1:${(standIn.server.address() as AddressInfo).port}/v4`;
    return standIn;
  }

  seed(...names: string[]): void {
    for (const name of names) this.namespaces.set(name, record(name));
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  private handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://stand-in');
      const recorded: RecordedRequest = {
        method: req.method ?? '',
        path: url.pathname,
        query: Object.fromEntries(url.searchParams),
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      };
      this.requests.push(recorded);
      const scripted = this.script.shift();
      if (scripted) {
        res.writeHead(scripted.status, { 'content-type': 'application/json', ...scripted.headers });
        res.end(scripted.body ?? JSON.stringify(errorBody('scripted', `scripted HTTP ${scripted.status}`)));
        return;
      }
      const [status, body] = this.route(recorded);
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    });
  }

  private route(req: RecordedRequest): [number, unknown] {
    if (req.headers.authorization !== `Token ${this.token}`) {
      return [401, errorBody('authentication_failed', 'Invalid token.')];
    }
    const root = '/v4/workspace/kv/namespaces';
    if (req.path === root && req.method === 'POST') {
      const name = (JSON.parse(req.body || '{}') as { name?: unknown }).name;
      if (typeof name !== 'string' || !/^[A-Za-z0-9_-]{3,63}$/.test(name)) {
        return [400, errorBody('invalid_name', 'Name must be 3-63 characters of letters, digits, _ and -.', { name })];
      }
      if (this.namespaces.has(name)) return [this.duplicateStatus, errorBody('duplicated', 'A namespace with this name already exists.')];
      const created = record(name);
      this.namespaces.set(name, created);
      return [201, created];
    }
    if (req.path === root && req.method === 'GET') {
      const page = Number(req.query.page ?? 1);
      const pageSize = Number(req.query.page_size ?? 10);
      if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > 1000) {
        return [400, errorBody('invalid_page_size', 'page_size must be from 1 to 1000.')];
      }
      const all = [...this.namespaces.values()];
      const totalPages = Math.max(1, Math.ceil(all.length / pageSize));
      return [
        200,
        {
          results: all.slice((page - 1) * pageSize, page * pageSize),
          pagination: {
            page,
            page_size: pageSize,
            total_count: all.length,
            total_pages: totalPages,
            has_next: page < totalPages,
            has_previous: page > 1,
          },
        },
      ];
    }
    if (req.path.startsWith(`${root}/`) && req.method === 'GET') {
      const found = this.namespaces.get(decodeURIComponent(req.path.slice(root.length + 1)));
      return found ? [200, found] : [404, errorBody('not_found', 'Namespace not found.')];
    }
    return [404, errorBody('not_found', 'Not found.')];
  }
}

function record(name: string): StoredNamespace {
  return { name, created_at: '2026-12-01T10:00:00Z', last_modified: '2026-12-01T10:00:00Z' };
}

function errorBody(code: string, message: string, details: Record<string, unknown> = {}) {
  return { state: 'error', error: { code, message, details } };
}
