/**
 * Namespaces on the wire: a name's id, the request on a namespace's route, and the one
 * mapping of each namespace failure (not found, already exists) to kvadm's errors.
 *
 * Namespaces are named by title. On `kvadm serve` the id is the name itself; when a
 * service's ids differ (a real Cloudflare account) the id is found by title once and
 * cached, and forgotten when the service says the namespace is gone.
 */
import { type HttpClient, type RequestOptions, type WireEnvelope, type WireResponse, parseEnvelope } from './http-client.js';
import { NamespaceExistsError, NamespaceNotFoundError } from '../errors.js';
import { WIRE_CODES } from '../wire-codes.js';

export interface WireNamespace {
  id: string;
  title: string;
}

/** One request on a namespace's route (docs/PROTOCOL.md), by name. */
export interface NamespaceCall extends RequestOptions {
  namespace: string;
  method: string;
  /** After the namespace's own path, e.g. `/bulk` (default: the namespace itself). */
  path?: string;
  /** The namespace's id when the caller resolved it already (saves a lookup). */
  id?: string;
}

const NAMESPACE_PAGE = 100;

export class Namespaces {
  /** `/accounts/ACCOUNT/storage/kv/namespaces` */
  readonly root: string;
  private readonly ids = new Map<string, string>();

  constructor(
    private readonly client: HttpClient,
    account: string,
  ) {
    this.root = `/accounts/${encodeURIComponent(account)}/storage/kv/namespaces`;
  }

  path(id: string): string {
    return `${this.root}/${encodeURIComponent(id)}`;
  }

  remember(name: string, id: string): void {
    this.ids.set(name, id);
  }

  forget(name: string): void {
    this.ids.delete(name);
  }

  /** The service's id for a namespace name: the name itself on kvadm serve, else found by title. */
  async idOf(name: string): Promise<string> {
    const cached = this.ids.get(name);
    if (cached !== undefined) return cached;
    const response = await this.client.request('GET', this.path(name));
    if (response.status === 200) {
      const ns = parseEnvelope(response.body)?.result as Partial<WireNamespace> | undefined;
      const id = typeof ns?.id === 'string' ? ns.id : name;
      this.ids.set(name, id);
      return id;
    }
    if (response.status !== 404 && response.status !== 400) throw this.client.error(response);
    // Not an id here: look the name up among the titles.
    await this.fetchAll();
    const id = this.ids.get(name);
    if (id === undefined) throw this.notFound(name);
    return id;
  }

  /** Every namespace, paging until an empty page; refreshes the title → id cache. */
  async fetchAll(): Promise<WireNamespace[]> {
    const all: WireNamespace[] = [];
    for (let page = 1; ; page++) {
      const batch = await this.client.json<WireNamespace[]>('GET', this.root, { query: { page, per_page: NAMESPACE_PAGE } });
      if (!Array.isArray(batch) || batch.length === 0) break;
      all.push(...batch);
      if (batch.length < NAMESPACE_PAGE) break;
    }
    for (const ns of all) this.ids.set(ns.title, ns.id);
    return all;
  }

  /** A request on a namespace's route; its `result`, or kvadm's error (an unknown namespace is NamespaceNotFoundError). */
  async call<T>({ namespace, method, path = '', id, ...request }: NamespaceCall): Promise<T | null> {
    const nsId = id ?? (await this.idOf(namespace));
    return this.result<T>(await this.client.request(method, this.path(nsId) + path, request), namespace);
  }

  /** The `result` of a response on a namespace's route; mapped errors otherwise. */
  result<T>(response: WireResponse, namespace: string): T | null {
    this.throwIfMissing(response, namespace);
    return this.client.result<T>(response);
  }

  /** The envelope of a response on a namespace's route; mapped errors otherwise. */
  envelope(response: WireResponse, namespace: string): WireEnvelope {
    this.throwIfMissing(response, namespace);
    return this.client.envelope(response);
  }

  /** The one not-found mapping: a 404 with the namespace code means the namespace is gone. */
  throwIfMissing(response: WireResponse, namespace: string): void {
    if (isMissingNamespace(this.client, response)) throw this.notFound(namespace);
  }

  /** The one "exists" mapping: a 400 with the namespace-exists code, for a create or a rename to `title`. */
  throwIfExists(response: WireResponse, title: string): void {
    if (response.status === 400 && this.client.failure(response).code === WIRE_CODES.namespaceExists) {
      throw new NamespaceExistsError(title);
    }
  }

  private notFound(name: string): NamespaceNotFoundError {
    this.ids.delete(name);
    return new NamespaceNotFoundError(name);
  }
}

/** A 404 that names the namespace (rather than a key, or a route the service lacks). */
export function isMissingNamespace(client: HttpClient, response: WireResponse): boolean {
  return response.status === 404 && client.failure(response).code === WIRE_CODES.namespaceNotFound;
}
