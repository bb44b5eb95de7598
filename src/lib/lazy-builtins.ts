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

let loadedCrypto: typeof import('node:crypto') | undefined;
let loadedHttps: typeof import('node:https') | undefined;
let loadedV8: typeof import('node:v8') | undefined;
let loadedVm: typeof import('node:vm') | undefined;

export function crypto(): typeof import('node:crypto') {
  loadedCrypto ??= require('node:crypto') as typeof import('node:crypto');
  return loadedCrypto;
}

export function https(): typeof import('node:https') {
  loadedHttps ??= require('node:https') as typeof import('node:https');
  return loadedHttps;
}

export function v8(): typeof import('node:v8') {
  loadedV8 ??= require('node:v8') as typeof import('node:v8');
  return loadedV8;
}

export function vm(): typeof import('node:vm') {
  loadedVm ??= require('node:vm') as typeof import('node:vm');
  return loadedVm;
}
