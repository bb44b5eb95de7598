/**
 * A fresh namespace per test for the `kvadm kv` command suites, made and read through the
 * library (no command run for set-up), and a runner bound to it.
 */
import { afterAll, beforeAll } from 'vitest';
import type { Backend } from '../../../src/lib/backends/backend.js';
import { KV } from '../../../src/lib/kv.js';
import type { BackendTarget } from '../../backends.js';
import type { CliResult } from '../../helpers.js';
import { runCommand } from '../../run-command.js';

export interface Namespaces {
  /** A new namespace and `kvadm kv ARGS -n NAME` on it (stdin from `input`). */
  freshNamespace(): Promise<{ name: string; kv: (args: string[], input?: string | Uint8Array) => Promise<CliResult> }>;
  /** The keys in the store, read through the library. */
  keysOf(name: string): Promise<string[]>;
  /** The library's view of a namespace, for seeding and checking. */
  kvOf(name: string): KV;
}

/** Per file, not per suite: the suites of a file share one store (test/backends.ts). */
let counter = 0;

/** Call inside a describe: opens a backend on `target` for the suite and closes it after. */
export function useNamespaces(target: BackendTarget): Namespaces {
  let backend: Backend | undefined;
  beforeAll(async () => {
    backend = await target.createBackend();
  });
  afterAll(async () => {
    await backend?.close();
  });
  const opened = (): Backend => {
    if (!backend) throw new Error('useNamespaces: the backend opens in beforeAll');
    return backend;
  };
  return {
    async freshNamespace() {
      const name = `cmd${++counter}`;
      await KV.create(name, { backend: opened() });
      return {
        name,
        kv: (args, input) => runCommand(['kv', ...args, '-n', name], { env: target.env(), ...(input === undefined ? {} : { input }) }),
      };
    },
    async keysOf(name) {
      const keys: string[] = [];
      for await (const page of new KV(name, { backend: opened() }).listAll()) keys.push(...page.map((k) => k.name));
      return keys;
    },
    kvOf: (name) => new KV(name, { backend: opened() }),
  };
}
