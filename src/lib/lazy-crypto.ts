/**
 * node:crypto, loaded on first use. Why: loading it costs 5–9 ms of start-up (through an
 * ES module import, Node builds a facade that loads every hash, cipher and key class), and
 * the fast path's `kv get`, `kv put` and `kv delete` on a local store never hash. Through
 * require rather than `await import()`, so its callers stay synchronous.
 */
import { createRequire } from 'node:module';

let loaded: typeof import('node:crypto') | undefined;

export function crypto(): typeof import('node:crypto') {
  // import.meta.url only anchors the require; a builtin resolves the same from anywhere
  // (scripts/bundle-fast-path.js lists this module as safe to bundle).
  loaded ??= createRequire(import.meta.url)('node:crypto') as typeof import('node:crypto');
  return loaded;
}
