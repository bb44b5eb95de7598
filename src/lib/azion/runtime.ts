/**
 * Azion's edge runtime KV API (`Azion.KV`) in Node, over a kvadm store, so an edge Function
 * written for Azion runs unchanged in a test (and in `kvadm azion emulate`): `new Azion.KV()`,
 * `new Azion.KV(name)`, `await Azion.KV.open(name)`, `await Azion.KV.delete(name)`, and on a
 * handle `put/get/getWithMetadata/delete`, all validated against kvadm's limits (limits.ts).
 *
 * @example
 * const runtime = installAzionRuntime({ dataDir: '/tmp/store' });
 * const kv = await Azion.KV.open('users'); // the Function's own code
 * await runtime.uninstall();
 */
import type { Backend, Clock } from '../backends/backend.js';
import { LocalBackend } from '../backends/local.js';
import { NamespaceNotFoundError } from '../errors.js';
import { KV, type KVOptions } from '../kv.js';
import { settingsFromFlags } from '../config/flag-settings.js';
import { validateNamespaceName } from '../validation.js';

/** `Azion.KV`: the KV class with its store bound, as an edge Function sees it. */
export interface AzionKVClass {
  /** A handle on a namespace (the default one when no name is given). */
  new (name?: string): KV;
  /** A handle on an existing namespace; rejects with NamespaceNotFoundError. */
  open(name: string): Promise<KV>;
  /** Delete a namespace and its keys; rejects with NamespaceNotFoundError. */
  delete(name: string): Promise<void>;
  /** Create a namespace (what `kvadm ns create` does); rejects with NamespaceExistsError. */
  create(name: string): Promise<KV>;
  /** Names of every namespace. */
  listNamespaces(): Promise<string[]>;
}

/** The global an Azion edge Function reads. */
export interface AzionGlobal {
  KV: AzionKVClass;
}

declare global {
  // The name edge Functions use (installed by installAzionRuntime); `var` is how a global is declared.
  var Azion: AzionGlobal;
}

export interface AzionRuntimeOptions {
  /** The store behind `Azion.KV`; wins over `dataDir`. The caller keeps it and closes it. */
  backend?: Backend;
  /**
   * Folder of the local store. Default: what kvadm's settings say (KVADM_DATA_DIR, then the
   * active profile's data-dir, then the per-user data folder).
   */
  dataDir?: string;
  /** Clock for expirations (ms since the epoch); tests move it. */
  clock?: Clock;
  /** Environment the settings are read from (default process.env). */
  env?: NodeJS.ProcessEnv;
  /** Object that receives `Azion` (default globalThis). */
  target?: object;
}

export interface AzionRuntime {
  readonly KV: AzionKVClass;
  readonly backend: Backend;
  /** Put back whatever `Azion` was before, and close the store if this runtime opened it. */
  uninstall(): Promise<void>;
}

/** `Azion.KV` bound to one store, without installing anything. */
export function createAzionKV(backend: Backend, clock?: Clock): AzionKVClass {
  const options: KVOptions = clock ? { backend, clock } : { backend };
  return class AzionKV extends KV {
    constructor(name?: string) {
      super(name, options);
    }

    static override async open(name: string): Promise<KV> {
      const kv = new AzionKV(name);
      if (!(await backend.namespaceExists(kv.name))) throw new NamespaceNotFoundError(kv.name);
      return kv;
    }

    static override async create(name: string): Promise<KV> {
      await backend.createNamespace(validateNamespaceName(name));
      return new AzionKV(name);
    }

    static override async delete(name: string): Promise<void> {
      await backend.deleteNamespace(validateNamespaceName(name));
    }

    static override async listNamespaces(): Promise<string[]> {
      return backend.listNamespaces();
    }
  };
}

/** The local store folder kvadm's settings name (no flags: environment, then profile, then default). */
export function settingsDataDir(env: NodeJS.ProcessEnv = process.env): string {
  return settingsFromFlags({}, env).settings.dataDir;
}

/** Install `Azion = { KV }` on `target` (globalThis by default), backed by a kvadm store. */
export function installAzionRuntime(options: AzionRuntimeOptions = {}): AzionRuntime {
  const ownsBackend = options.backend === undefined;
  const backend =
    options.backend ??
    new LocalBackend({
      dataDir: options.dataDir ?? settingsDataDir(options.env),
      ...(options.clock ? { clock: options.clock } : {}),
    });
  const KVClass = createAzionKV(backend, options.clock);
  const target = (options.target ?? globalThis) as { Azion?: unknown };
  const hadAzion = Object.hasOwn(target, 'Azion');
  const previous = target.Azion;
  const azion: AzionGlobal = { KV: KVClass };
  target.Azion = azion;
  let installed = true;
  return {
    KV: KVClass,
    backend,
    async uninstall() {
      if (!installed) return;
      installed = false;
      if (target.Azion === azion) {
        if (hadAzion) target.Azion = previous;
        else delete target.Azion;
      }
      if (ownsBackend) await backend.close();
    },
  };
}
