/**
 * A value's digest, kvadm's protocol extension for comparing stores without moving values:
 * `GET …/keys?digest=true` on `kvadm serve` lists each key with the digest of its value
 * (docs/PROTOCOL.md), and diff / sync compute the same digest from the other side's value.
 * The first 16 bytes of SHA-256 over the value bytes, base64url (22 characters): two
 * different values collide with probability 2^-128, far below a disk's error rate.
 */
import { createHash } from 'node:crypto';

export function valueDigest(value: Uint8Array): string {
  return createHash('sha256').update(value).digest().subarray(0, 16).toString('base64url');
}
