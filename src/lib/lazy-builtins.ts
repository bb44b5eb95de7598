/**
 * Node's own modules that cost milliseconds to load, loaded on first use. Why: scripts call
 * `kv get`, `kv put` and `kv delete` in loops, and these never need them. Measured costs:
 * node:crypto 5–9 ms (through an ES module import, Node builds a facade that loads every hash,
 * cipher and key class); node:https about 4.5 ms more than node:http (node:tls and node:crypto
 * with it), needed only for an https URL; node:v8 about 3.5 ms, needed only when a large
 * value's garbage is collected (memory.ts). Through require rather than `await import()`, so
 * callers stay synchronous.
 */
import { createRequire } from 'node:module';

// import.meta.url only anchors the require; a builtin resolves the same from anywhere
// (scripts/bundle-fast-path.js lists this module as safe to bundle).
const require = createRequire(import.meta.url);

/** A getter that requires `name` on its first call and returns the same module after. */
function onFirstUse<T>(name: string): () => T {
  let loaded: T | undefined;
  return () => {
    loaded ??= require(name) as T;
    return loaded;
  };
}

export const crypto = onFirstUse<typeof import('node:crypto')>('node:crypto');
export const https = onFirstUse<typeof import('node:https')>('node:https');
export const v8 = onFirstUse<typeof import('node:v8')>('node:v8');
export const vm = onFirstUse<typeof import('node:vm')>('node:vm');
