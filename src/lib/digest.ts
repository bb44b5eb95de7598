/**
 * A value's digest, kvadm's protocol extension for comparing stores without moving values:
 * `GET …/keys?digest=true` on `kvadm serve` lists each key with the digest of its value
 * (docs/PROTOCOL.md), and diff / sync compute the same digest from the other side's value.
 * The first 22 characters of the base64url SHA-256 of the value bytes (132 bits): two
 * different values collide with probability 2^-132, far below a disk's error rate.
 */
import { crypto } from './lazy-builtins.js';

/** Characters of the base64url SHA-256 kept. */
export const DIGEST_CHARS = 22;

export function valueDigest(value: Uint8Array): string {
  // crypto.hash, not createHash: one call without a Hash object is 3–5× faster on small values.
  return crypto().hash('sha256', value, 'base64url').slice(0, DIGEST_CHARS);
}
