/**
 * collectGarbage is what keeps a 25 MiB value's copies from piling up (src/lib/memory.ts). Users
 * run kvadm without --expose-gc, and node:v8 loads only when it is first needed: a collection
 * must still happen.
 */
import { describe, expect, it } from 'vitest';
import { collectGarbage } from '../../src/lib/memory.js';

describe('collectGarbage', () => {
  it('collects an object nothing refers to any more', async () => {
    const ref = (() => new WeakRef({ filler: new Array(10_000).fill('x') }))();
    // A WeakRef keeps its target until the job that made it ends.
    await new Promise((resolve) => setTimeout(resolve, 0));
    collectGarbage();
    expect(ref.deref()).toBeUndefined();
  });
});
