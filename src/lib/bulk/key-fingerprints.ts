/**
 * Which keys an import has seen, to count duplicates, in 16 bytes per distinct key
 * (a Set of the key strings would take 60-100 bytes each: 1,000,000 keys ≈ 80 MB).
 * A key is remembered as a 63-bit fingerprint in an open-addressing table of two
 * Int32Arrays. Two different keys share a fingerprint with probability about n²/2⁶⁴
 * (1e-7 for ten million keys): at worst a duplicate is over-counted in the summary; the
 * data written never depends on this.
 */
export class KeyFingerprints {
  private hi: Int32Array;
  private lo: Int32Array;
  private mask: number;
  private count = 0;

  constructor(initialCapacity = 1 << 16) {
    let size = 1;
    while (size < initialCapacity) size <<= 1;
    this.hi = new Int32Array(size);
    this.lo = new Int32Array(size);
    this.mask = size - 1;
  }

  get size(): number {
    return this.count;
  }

  /** Remember `key`; true when it had been seen before. */
  add(key: string): boolean {
    // Two independent 32-bit hashes (FNV-1a and a multiplicative one with another seed).
    let h1 = 0x811c9dc5;
    let h2 = 0x9747b28c;
    for (let i = 0; i < key.length; i++) {
      const c = key.charCodeAt(i);
      h1 = Math.imul(h1 ^ c, 0x01000193);
      h2 = Math.imul(h2 ^ c, 0x5bd1e995);
      h2 ^= h2 >>> 15;
    }
    h1 ^= h1 >>> 16;
    h1 = Math.imul(h1, 0x85ebca6b);
    h1 ^= h1 >>> 13;
    h2 = Math.imul(h2 ^ key.length, 0xc2b2ae35);
    h2 ^= h2 >>> 16;
    // lo is never 0, so 0 marks an empty slot.
    const lo = h2 | 1;
    let slot = h1 & this.mask;
    for (;;) {
      const existing = this.lo[slot];
      if (existing === 0) break;
      if (existing === lo && this.hi[slot] === h1) return true;
      slot = (slot + 1) & this.mask;
    }
    this.hi[slot] = h1;
    this.lo[slot] = lo;
    this.count++;
    if (this.count * 2 > this.mask + 1) this.grow();
    return false;
  }

  private grow(): void {
    const oldHi = this.hi;
    const oldLo = this.lo;
    const size = (this.mask + 1) * 2;
    this.hi = new Int32Array(size);
    this.lo = new Int32Array(size);
    this.mask = size - 1;
    for (let i = 0; i < oldLo.length; i++) {
      const lo = oldLo[i] as number;
      if (lo === 0) continue;
      const hi = oldHi[i] as number;
      let slot = hi & this.mask;
      while (this.lo[slot] !== 0) slot = (slot + 1) & this.mask;
      this.hi[slot] = hi;
      this.lo[slot] = lo;
    }
  }
}
