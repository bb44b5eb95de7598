/** What makes two entries of one key differ, as diff reports it. */
import type { KeyPair, SideEntry } from '../backends/backend.js';

export type Difference = 'value' | 'metadata' | 'expiration';

/**
 * Expirations within this many seconds count as equal: the protocol carries whole
 * seconds and a TTL write lands a little later on a remote store than it was asked.
 */
export const EXPIRATION_TOLERANCE_SECONDS = 60;

export function expirationsMatch(a: number | null, b: number | null): boolean {
  if (a === null || b === null) return a === b;
  return Math.abs(a - b) <= EXPIRATION_TOLERANCE_SECONDS;
}

function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.byteLength !== b.byteLength) return false;
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(b);
}

/**
 * How `dst` differs from `src`; null when they match. Values are compared when the store
 * compared them (`valuesEqual`, from a join or from digests) or both sides read them (not with --keys-only).
 * Metadata is compared as its compact JSON text, which every backend produces the same way
 * for the same object.
 */
export function differences(src: SideEntry, dst: SideEntry, valuesEqual?: KeyPair['valuesEqual']): Difference[] | null {
  let found: Difference[] | null = null;
  const valueDiffers =
    valuesEqual !== undefined ? !valuesEqual : src.value !== null && dst.value !== null && !bytesEqual(src.value, dst.value);
  if (valueDiffers) found = ['value'];
  if (src.metadata !== dst.metadata) (found ??= []).push('metadata');
  if (!expirationsMatch(src.expiration, dst.expiration)) (found ??= []).push('expiration');
  return found;
}
