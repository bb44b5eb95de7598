/**
 * Azion's runtime KV API in Node (src/lib/azion/runtime.ts): an edge Function's calls on
 * `globalThis.Azion.KV` land in a kvadm store that a test seeds and inspects.
 */
import { afterEach, expect, it } from 'vitest';
import { type AzionRuntime, installAzionRuntime } from '../../src/lib/azion/runtime.js';
import { LocalBackend } from '../../src/lib/backends/local.js';
import { NamespaceNotFoundError, ValidationError } from '../../src/lib/errors.js';
import { KV } from '../../src/lib/kv.js';
import { tempDir } from '../helpers.js';

let runtime: AzionRuntime | undefined;
afterEach(async () => {
  await runtime?.uninstall();
  runtime = undefined;
});

it('Azion.KV writes land in the local store a test reads with kvadm, and back', async () => {
  const dataDir = tempDir('azion-runtime');
  runtime = installAzionRuntime({ dataDir });
  const inspector = new LocalBackend({ dataDir });
  await KV.create('users', { backend: inspector });
  await new KV('users', { backend: inspector }).put('seeded', 'by the test');

  const kv = await Azion.KV.open('users');
  expect(await kv.get('seeded')).toBe('by the test');
  await kv.put('user:1', { name: 'Ada' }, { metadata: { v: 1 } });
  expect(await kv.getWithMetadata('user:1', 'json')).toEqual({ value: { name: 'Ada' }, metadata: { v: 1 } });
  await new Azion.KV().put('in-default', 'yes');

  expect(await new KV('users', { backend: inspector }).get('user:1', 'json')).toEqual({ name: 'Ada' });
  expect(await new KV('default', { backend: inspector }).get('in-default')).toBe('yes');
  expect(await kv.delete('user:1')).toBe(true);
  expect(await kv.get('user:1')).toBeNull();
  await inspector.close();
});

it('Azion.KV.open of a missing namespace rejects; Azion.KV.delete removes one', async () => {
  runtime = installAzionRuntime({ dataDir: tempDir('azion-runtime') });
  await expect(Azion.KV.open('nope')).rejects.toBeInstanceOf(NamespaceNotFoundError);
  await Azion.KV.create('gone-soon');
  expect(await Azion.KV.listNamespaces()).toContain('gone-soon');
  await Azion.KV.delete('gone-soon');
  await expect(Azion.KV.open('gone-soon')).rejects.toBeInstanceOf(NamespaceNotFoundError);
  expect(new Azion.KV('x')).toBeInstanceOf(Azion.KV);
});

it("Azion.KV applies kvadm's limits: a 513-byte key is refused", async () => {
  runtime = installAzionRuntime({ dataDir: tempDir('azion-runtime') });
  await expect(new Azion.KV().put('k'.repeat(513), 'v')).rejects.toBeInstanceOf(ValidationError);
});

it('without a data folder given, the store is the one KVADM_DATA_DIR names', async () => {
  const dataDir = tempDir('azion-env');
  runtime = installAzionRuntime({ env: { ...process.env, KVADM_DATA_DIR: dataDir } });
  expect(runtime.backend.location).toBe(dataDir);
});

it('uninstall puts back what globalThis.Azion was', async () => {
  const target: { Azion?: unknown } = { Azion: 'before' };
  const scoped = installAzionRuntime({ dataDir: tempDir('azion-runtime'), target });
  expect((target.Azion as { KV: unknown }).KV).toBe(scoped.KV);
  await scoped.uninstall();
  expect(target.Azion).toBe('before');
  expect('Azion' in globalThis).toBe(false);
});
