import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { LocalBackend } from '../../src/lib/backends/local.js';
import { KV } from '../../src/lib/kv.js';
import { editableText, editText } from '../../src/lib/manage/editor.js';
import { expirationFromAnswer, expiryOptions } from '../../src/lib/manage/keys.js';
import { exportNamespace, importEntries, readImportFile } from '../../src/lib/manage/transfer.js';
import { tempDir } from '../helpers.js';

const backend = new LocalBackend({ dataDir: tempDir('manage-lib') });
afterAll(() => backend.close());

describe('manage export/import adapter', () => {
  it('round-trips text, binary, metadata and expiration through the wrangler bulk format', async () => {
    const source = await KV.create('source', { backend });
    const expiration = Math.floor(Date.now() / 1000) + 3600;
    await source.put('text', 'hello', { metadata: { v: 1 } });
    await source.put('binary', new Uint8Array([0xff, 0x00, 0xfe]), { expiration });
    const file = path.join(tempDir('transfer'), 'out.json');
    expect(await exportNamespace(source, file)).toBe(2);
    const items = JSON.parse(fs.readFileSync(file, 'utf8'));
    expect(items).toEqual([
      { key: 'binary', value: '/wD+', base64: true, expiration },
      { key: 'text', value: 'hello', metadata: { v: 1 } },
    ]);
    // Only the finished file is left behind.
    expect(fs.readdirSync(path.dirname(file))).toEqual(['out.json']);

    const target = await KV.create('target', { backend });
    const entries = await readImportFile(target, file);
    expect(await importEntries(target, entries)).toBe(2);
    const binary = await target.getEntry('binary');
    expect([...(binary?.value ?? [])]).toEqual([0xff, 0x00, 0xfe]);
    expect(binary?.expiration).toBe(expiration);
    expect(await target.getWithMetadata('text')).toEqual({ value: 'hello', metadata: { v: 1 } });
  });

  it('checks the whole file before writing anything', async () => {
    const kv = await KV.create('checked', { backend });
    const file = path.join(tempDir('transfer'), 'bad.json');
    fs.writeFileSync(
      file,
      JSON.stringify([
        { key: 'ok', value: 'v' },
        { key: '', value: 'v' },
        { key: 'x', value: 1 },
      ]),
    );
    await expect(readImportFile(kv, file)).rejects.toThrow(
      /2 invalid entries \(nothing imported\): #1: .*; #2: key "x": "value" must be a string/,
    );
    fs.writeFileSync(file, '{"key": "not an array"}');
    await expect(readImportFile(kv, file)).rejects.toThrow(/must be a JSON array/);
    expect((await kv.list()).keys).toEqual([]);
  });
});

describe('manage answers', () => {
  const now = Date.UTC(2026, 0, 1);
  it('reads TTLs, absolute times and "never"', () => {
    expect(expiryOptions('', now)).toEqual({});
    expect(expiryOptions('never', now)).toEqual({});
    expect(expiryOptions('1h30m', now)).toEqual({ expirationTtl: 5400 });
    expect(expiryOptions('2026-01-02T00:00:00Z', now)).toEqual({ expiration: now / 1000 + 86_400 });
    expect(expirationFromAnswer('90', now)).toBe(now / 1000 + 90);
    expect(() => expiryOptions('30', now)).toThrow(/at least 60/);
    expect(() => expiryOptions('2025-12-31T23:59:59Z', now)).toThrow(/at least 60 seconds in the future/);
    expect(() => expiryOptions('soon', now)).toThrow(/cannot read "soon"/);
  });
});

describe('editor', () => {
  it('refuses binary values and edits text through $EDITOR', () => {
    expect(editableText(new Uint8Array([0xff]))).toBeNull();
    expect(editableText(new Uint8Array([0x61, 0x00]))).toBeNull();
    expect(editableText(new TextEncoder().encode('héllo'))).toBe('héllo');
    const dir = tempDir('editor');
    const script = path.join(dir, 'append.sh');
    fs.writeFileSync(script, '#!/bin/sh\nprintf " world" >> "$1"\n', { mode: 0o755 });
    expect(editText('hello', 'greeting.txt', { ...process.env, VISUAL: '', EDITOR: script })).toBe('hello world');
    expect(editText('same', 'k', { ...process.env, VISUAL: '', EDITOR: 'true' })).toBeNull();
    expect(() => editText('x', 'k', { ...process.env, VISUAL: '', EDITOR: 'false' })).toThrow(
      /exited with status 1; the value is unchanged/,
    );
  });
});
