/**
 * The azion backend: Azion's KV Store as a kvadm store. Azion's REST API knows namespaces
 * only (create, list, retrieve), so those go there; keys, bulk reads and writes, export,
 * import, sweeps and namespace deletion exist only inside an edge Function, so they go
 * through the kvadm bridge (a Function speaking kvadm's Cloudflare-shaped protocol, reached
 * with the HTTP backend). Without a bridge URL those operations stop with exit 2 and say how
 * to deploy one. Every namespace name is checked against Azion's rule before any request.
 */
import type { Backend, BulkWriter, ListOptions, ListResult, NamespaceInfo, StoredEntry, SweepResult } from './backend.js';
import { AzionRestClient, type AzionRestOptions } from '../azion/rest-client.js';
import { validateAzionNamespaceName } from '../azion/names.js';
import { compareKeys } from '../cursor.js';
import { ExitCode, KvadmError, NamespaceNotFoundError } from '../errors.js';
import type { HttpSettingNames } from './http-client.js';

export interface AzionBackendOptions extends AzionRestOptions {
  /** The bridge (an HttpBackend on azion-bridge-url); without it key operations are refused. */
  bridge?: Backend | undefined;
}

const BRIDGE_HINT =
  'deploy the kvadm bridge edge Function: kvadm azion bridge --out DIR (its README says how), then set its URL and secret: ' +
  'kvadm config set azion-bridge-url https://YOUR-FUNCTION-DOMAIN/client/v4 and kvadm config set azion-bridge-token SECRET ' +
  '(or KVADM_AZION_BRIDGE_URL, KVADM_AZION_BRIDGE_TOKEN)';

/** What needs the bridge and the bridge is not configured: exit 2. */
export class BridgeRequiredError extends KvadmError {
  constructor(what: string, details: Record<string, unknown> = {}) {
    super(
      'AZION_BRIDGE_REQUIRED',
      `${what} needs the kvadm bridge: Azion's REST API has no routes for keys, and no azion-bridge-url is set`,
      {
        exitCode: ExitCode.usage,
        hint: BRIDGE_HINT,
        details,
      },
    );
  }
}

export class AzionBackend implements Backend {
  readonly kind = 'azion';
  readonly location: string;
  private readonly rest: AzionRestClient;
  private readonly bridge: Backend | undefined;
  private readonly hasToken: boolean;

  constructor(options: AzionBackendOptions) {
    this.rest = new AzionRestClient(options);
    this.bridge = options.bridge;
    this.hasToken = Boolean(options.token);
    this.location = this.bridge ? `${this.rest.location} (keys through ${this.bridge.location})` : this.rest.location;
  }

  // ---- namespaces: Azion's REST API ----

  async listNamespaces(): Promise<string[]> {
    const namespaces = await this.rest.listNamespaces();
    return namespaces.map((ns) => ns.name).sort(compareKeys);
  }

  async createNamespace(name: string): Promise<void> {
    await this.rest.createNamespace(name);
  }

  async namespaceExists(name: string): Promise<boolean> {
    // Key commands check the namespace first: a bridge alone (no Azion token) can answer that.
    if (this.bridge && !this.hasToken) return viaBridge(this.bridge.namespaceExists(validateAzionNamespaceName(name)));
    try {
      await this.rest.getNamespace(name);
      return true;
    } catch (error) {
      if (error instanceof NamespaceNotFoundError) return false;
      throw error;
    }
  }

  /** Azion's record (existence, dates) from REST; the counts from the bridge, which alone can see keys. */
  async namespaceInfo(name: string): Promise<NamespaceInfo> {
    if (this.bridge && !this.hasToken) return viaBridge(this.bridge.namespaceInfo(validateAzionNamespaceName(name)));
    const record = await this.rest.getNamespace(name);
    const dates = { createdAt: record.created_at, lastModified: record.last_modified };
    if (!this.bridge) {
      throw new BridgeRequiredError(
        `namespace '${name}' exists on Azion (created ${record.created_at ?? 'at an unknown time'}, last modified ${record.last_modified ?? 'unknown'}); counting its keys`,
        { namespace: name, ...dates },
      );
    }
    return { ...(await viaBridge(this.bridge.namespaceInfo(name))), ...dates };
  }

  /** Azion deletes a namespace only from inside a Function (`Azion.KV.delete`): through the bridge. */
  async deleteNamespace(name: string): Promise<void> {
    await viaBridge(this.bridged(`deleting namespace '${name}'`, name).deleteNamespace(name));
  }

  async renameNamespace(from: string, to: string): Promise<void> {
    validateAzionNamespaceName(from);
    validateAzionNamespaceName(to);
    throw new KvadmError(
      'AZION_UNSUPPORTED',
      `Azion KV cannot rename a namespace ('${from}' to '${to}'): neither its API nor its runtime has a rename`,
      {
        exitCode: ExitCode.usage,
        hint: `copy the keys, then delete the old namespace: kvadm ns create ${to} && kvadm copy ${from} ${to} && kvadm ns delete ${from} (with --backend azion and the bridge set)`,
        details: { from, to },
      },
    );
  }

  // ---- keys: the bridge ----

  async get(namespace: string, key: string): Promise<StoredEntry | null> {
    return viaBridge(this.bridged('reading a key', namespace).get(namespace, key));
  }

  async getMany(namespace: string, keys: string[]): Promise<(StoredEntry | null)[]> {
    return viaBridge(this.bridged('reading keys', namespace).getMany(namespace, keys));
  }

  async put(namespace: string, entry: StoredEntry): Promise<void> {
    return viaBridge(this.bridged('writing a key', namespace).put(namespace, entry));
  }

  async delete(namespace: string, key: string): Promise<boolean> {
    return viaBridge(this.bridged('deleting a key', namespace).delete(namespace, key));
  }

  async deleteMany(namespace: string, keys: string[]): Promise<number> {
    return viaBridge(this.bridged('deleting keys', namespace).deleteMany(namespace, keys));
  }

  async list(namespace: string, options: ListOptions): Promise<ListResult> {
    return viaBridge(this.bridged('listing keys', namespace).list(namespace, options));
  }

  async *scan(namespace: string, options?: { prefix?: string; batchSize?: number }): AsyncIterable<StoredEntry[]> {
    try {
      yield* this.bridged('reading every key (export)', namespace).scan(namespace, options);
    } catch (error) {
      throw withBridgeHint(error);
    }
  }

  async bulkWriter(namespace: string): Promise<BulkWriter> {
    const writer = await viaBridge(this.bridged('writing keys in bulk (import)', namespace).bulkWriter(namespace));
    const remove = writer.remove?.bind(writer);
    return {
      atomic: writer.atomic,
      write: (entries) => viaBridge(writer.write(entries)),
      ...(remove ? { remove: (keys: string[]) => viaBridge(remove(keys)) } : {}),
      commit: () => viaBridge(writer.commit()),
      abort: () => viaBridge(writer.abort()),
    };
  }

  async sweep(namespace: string, maxRows?: number): Promise<SweepResult> {
    return viaBridge(this.bridged('sweeping expired keys', namespace).sweep(namespace, maxRows));
  }

  async close(): Promise<void> {
    await Promise.all([this.rest.close(), this.bridge?.close()]);
  }

  /** The bridge, after Azion's name rule; BridgeRequiredError when none is set. */
  private bridged(what: string, namespace: string): Backend {
    validateAzionNamespaceName(namespace);
    if (!this.bridge) throw new BridgeRequiredError(`${what} in namespace '${namespace}'`, { namespace });
    return this.bridge;
  }
}

/** How the bridge's HTTP client names its settings when it refuses its URL or cannot reach it. */
export const AZION_BRIDGE_SETTINGS: HttpSettingNames = {
  url: {
    name: 'azion-bridge-url',
    example: "give the bridge's base URL, such as https://YOUR-FUNCTION-DOMAIN/client/v4 (azion-bridge-url or KVADM_AZION_BRIDGE_URL)",
    tokenHint: 'pass the bridge secret with azion-bridge-token or KVADM_AZION_BRIDGE_TOKEN',
  },
  unreachableHint: 'check azion-bridge-url (KVADM_AZION_BRIDGE_URL) and that the bridge Function is deployed',
};

/** Hints for failures of the bridge that name its settings, not the http backend's --url and --token. */
const BRIDGE_HINTS: Record<string, string> = {
  AUTH_FAILED: 'check azion-bridge-token (KVADM_AZION_BRIDGE_TOKEN): it must be the secret the bridge Function was deployed with',
  REMOTE_UNREACHABLE: 'check azion-bridge-url (KVADM_AZION_BRIDGE_URL) and that the bridge Function is deployed',
  REMOTE_NOT_API: "check azion-bridge-url (KVADM_AZION_BRIDGE_URL): it is the bridge's base URL, ending in /client/v4",
};

function withBridgeHint(error: unknown): unknown {
  if (!(error instanceof KvadmError)) return error;
  const hint = BRIDGE_HINTS[error.code];
  if (hint === undefined) return error;
  return new KvadmError(error.code, error.message, { exitCode: error.exitCode, hint, details: error.details, cause: error });
}

function viaBridge<T>(promise: Promise<T>): Promise<T> {
  return promise.catch((error: unknown) => {
    throw withBridgeHint(error);
  });
}
