/** Namespace routes: list (paged), create, get, rename, delete; plus kvadm's sweep extension. */
import type { FastifyInstance } from 'fastify';
import { KV } from '../../kv.js';
import { LIMITS } from '../../limits.js';
import { validateNamespaceName } from '../../validation.js';
import { badRequest, success } from '../envelope.js';
import { API_PREFIX, type ServerContext, jsonBody, kvOf, namespaceParam, queryInt } from '../context.js';

interface WireNamespace {
  id: string;
  title: string;
  supports_url_encoding: true;
}

function wireNamespace(name: string): WireNamespace {
  return { id: name, title: name, supports_url_encoding: true };
}

function titleOf(body: unknown): string {
  const title = (body as { title?: unknown } | null)?.title;
  if (typeof title !== 'string') throw badRequest('the body must be a JSON object with a string "title"');
  return validateNamespaceName(title);
}

export function registerNamespaceRoutes(app: FastifyInstance, ctx: ServerContext): void {
  const { backend, locks } = ctx;

  app.get(API_PREFIX, async (request) => {
    const query = request.query as Record<string, string | undefined>;
    const page = queryInt(query, 'page', 1, Number.MAX_SAFE_INTEGER) ?? 1;
    const perPage = queryInt(query, 'per_page', 1, LIMITS.listMaxLimit) ?? 20;
    const order = query.order ?? 'id';
    const direction = query.direction ?? 'asc';
    if (order !== 'id' && order !== 'title') throw badRequest(`invalid order ${JSON.stringify(order)}: use id or title`);
    if (direction !== 'asc' && direction !== 'desc') throw badRequest(`invalid direction ${JSON.stringify(direction)}: use asc or desc`);
    // The id is the title here, so both orders are the same.
    const names = await KV.listNamespaces({ backend });
    if (direction === 'desc') names.reverse();
    const slice = names.slice((page - 1) * perPage, page * perPage);
    return success(slice.map(wireNamespace), {
      count: slice.length,
      page,
      per_page: perPage,
      total_count: names.length,
      total_pages: Math.ceil(names.length / perPage),
    });
  });

  app.post(API_PREFIX, async (request) => {
    const title = titleOf(jsonBody(request));
    await locks.run([title], () => KV.create(title, { backend }));
    return success(wireNamespace(title));
  });

  app.get(`${API_PREFIX}/:ns`, async (request) => {
    const kv = await KV.open(namespaceParam(request), { backend });
    const query = request.query as Record<string, string | undefined>;
    if (query.stats !== 'true') return success(wireNamespace(kv.name));
    // kvadm's extension: what `kvadm ns info` shows. Unknown fields are ignored by other clients.
    const info = await kv.namespaceInfo();
    return success({
      ...wireNamespace(kv.name),
      stats: { key_count: info.keyCount, stored_bytes: info.storedBytes, expired_keys: info.expiredKeys },
    });
  });

  app.put(`${API_PREFIX}/:ns`, async (request) => {
    const from = kvOf(ctx, namespaceParam(request)).name;
    const to = titleOf(jsonBody(request));
    await locks.run([from, to], async () => {
      await KV.open(from, { backend });
      await KV.renameNamespace(from, to, { backend });
    });
    return success(wireNamespace(to));
  });

  app.delete(`${API_PREFIX}/:ns`, async (request) => {
    const name = namespaceParam(request);
    // KV.delete validates the name (an invalid one never reaches the store).
    await locks.run([name], () => KV.delete(name, { backend }));
    return success({});
  });

  // kvadm extension: remove expired keys now (what `kvadm kv sweep` asks a remote store for).
  app.post(`${API_PREFIX}/:ns/sweep`, async (request) => {
    const kv = await KV.open(namespaceParam(request), { backend, clock: ctx.clock });
    const swept = await locks.run([kv.name], () => kv.sweep());
    return success({ deleted: swept.deleted, next_expiration: swept.nextExpiration });
  });
}
