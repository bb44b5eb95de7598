/**
 * A stand-in for Azion's namespace REST API (v4, `/workspace/kv/namespaces`) over a kvadm
 * store, for `kvadm azion emulate`: the bridge creates and lists namespaces through it as it
 * does through https://api.azion.com/v4 on Azion. Shapes from Azion's KV Store documentation:
 * POST {name} → 201 {name, created_at, last_modified}; GET ?page=&page_size= → {results,
 * pagination}; GET /{name}; errors {state: "error", error: {code, message, details}};
 * auth `Authorization: Token TOKEN`.
 */
import type http from 'node:http';
import type { Backend } from '../backends/backend.js';
import { NamespaceExistsError } from '../errors.js';
import { KV } from '../kv.js';
import { AZION_LIMITS, AZION_NAMESPACE_NAME_PATTERN } from '../limits.js';

const ROOT = '/v4/workspace/kv/namespaces';

export interface NamespaceApiOptions {
  backend: Backend;
  token: string;
}

function send(response: http.ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { 'content-type': 'application/json' });
  response.end(JSON.stringify(body));
}

function fail(response: http.ServerResponse, status: number, code: string, message: string): void {
  send(response, status, { state: 'error', error: { code, message, details: {} } });
}

/** Azion's namespace shape; the times are those the store gives (the epoch where it cannot tell). */
async function namespaceOf(backend: Backend, name: string) {
  const info = await backend.namespaceInfo(name, { times: true });
  const epoch = new Date(0).toISOString();
  return { name, created_at: info.createdAt ?? epoch, last_modified: info.lastModified ?? epoch };
}

async function readJson(request: http.IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    return undefined;
  }
}

export async function serveNamespaceApi(
  request: http.IncomingMessage,
  response: http.ServerResponse,
  options: NamespaceApiOptions,
): Promise<void> {
  const { backend, token } = options;
  if (request.headers.authorization !== `Token ${token}`) {
    request.resume();
    return fail(response, 401, 'unauthorized', 'Invalid token');
  }
  const url = new URL(request.url ?? '/', 'http://localhost');
  const path = url.pathname.replace(/\/+$/, '');
  if (path === ROOT && request.method === 'POST') {
    const name = ((await readJson(request)) as { name?: unknown } | undefined)?.name;
    if (typeof name !== 'string' || !AZION_NAMESPACE_NAME_PATTERN.test(name)) {
      const { namespaceNameMinChars: min, namespaceNameMaxChars: max } = AZION_LIMITS;
      return fail(response, 400, 'invalid_name', `name: ${min} to ${max} characters matching ^[a-zA-Z0-9_-]+$`);
    }
    try {
      await KV.create(name, { backend });
    } catch (error) {
      if (error instanceof NamespaceExistsError) return fail(response, 409, 'conflict', `A namespace named ${name} already exists`);
      throw error;
    }
    return send(response, 201, await namespaceOf(backend, name));
  }
  request.resume();
  if (path === ROOT && request.method === 'GET') {
    const page = Math.max(1, Number(url.searchParams.get('page') ?? '1') || 1);
    const pageSize = Math.min(AZION_LIMITS.namespacePageMaxSize, Math.max(1, Number(url.searchParams.get('page_size') ?? '10') || 10));
    const names = await KV.listNamespaces({ backend });
    const results = await Promise.all(names.slice((page - 1) * pageSize, page * pageSize).map((name) => namespaceOf(backend, name)));
    const totalPages = Math.ceil(names.length / pageSize);
    return send(response, 200, {
      results,
      pagination: {
        page,
        page_size: pageSize,
        total_count: names.length,
        total_pages: totalPages,
        has_next: page < totalPages,
        has_previous: page > 1,
      },
    });
  }
  if (path.startsWith(`${ROOT}/`) && request.method === 'GET') {
    const name = decodeURIComponent(path.slice(ROOT.length + 1));
    if (AZION_NAMESPACE_NAME_PATTERN.test(name) && (await backend.namespaceExists(name)))
      return send(response, 200, await namespaceOf(backend, name));
    return fail(response, 404, 'not_found', 'Not found.');
  }
  return fail(response, 404, 'not_found', `No route for ${request.method} ${path}`);
}
