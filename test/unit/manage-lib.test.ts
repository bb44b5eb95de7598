import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { InvalidEntriesError } from '../../src/lib/bulk/import-errors.js';
import { InterruptedError } from '../../src/lib/errors.js';
import { LocalBackend } from '../../src/lib/backends/local.js';
import { KV } from '../../src/lib/kv.js';
import { editableText, editText } from '../../src/lib/manage/editor.js';
import { expirationFromAnswer, expiryOptions } from '../../src/lib/manage/keys.js';
import { exportToFile, importFromFile, invalidEntriesReport } from '../../src/lib/manage/transfer.js';
import { tempDir } from '../helpers.js';

const backend = new LocalBackend({ dataDir: tempDir('manage-lib') });
afterAll(() => backend.close());

function jsonLines(count: number, bad?: number): string {
  let text = '';
  for (let i = 0; i < count; i++)
    text += `${JSON.stringify(i === bad ? { key: '', value: 'x' } : { key: `k${String(i).padStart(6, '0')}`, value: `v${i}` })}\n`;
  return text;
}

/** Ctrl-C as the process sees it, once the operation has reported progress `after` times. */
function sigintAfter(after: number): (entries: number) => void {
  let calls = 0;
  return () => {
    if (++calls === after) process.emit('SIGINT');
  };
}

describe('manage export and import (the bulk engine)', () => {
  it('exports in the format of the file extension, as kvadm export writes it', async () => {
    const kv = await KV.create('formats', { backend });
    const expiration = Math.floor(Date.now() / 1000) + 3600;
    await kv.put('text', 'hello', { metadata: { v: 1 } });
    await kv.put('binary', new Uint8Array([0xff, 0x00, 0xfe]), { expiration });
    const dir = tempDir('manage-export');
    const written = (name: string) => fs.readFileSync(path.join(dir, name), 'utf8');

    expect((await exportToFile(kv, path.join(dir, 'a.json'))).format).toBe('json');
    expect(JSON.parse(written('a.json'))).toEqual([
      { key: 'binary', value: '/wD+', base64: true, expiration },
      { key: 'text', value: 'hello', metadata: { v: 1 } },
    ]);
    for (const name of ['a.jsonl', 'a.ndjson']) {
      expect((await exportToFile(kv, path.join(dir, name))).format).toBe('jsonl');
      expect(
        written(name)
          .trim()
          .split('\n')
          .map((line) => JSON.parse(line).key),
      ).toEqual(['binary', 'text']);
    }
    expect((await exportToFile(kv, path.join(dir, 'a.CSV'))).format).toBe('csv');
    expect(written('a.CSV').split(/\r?\n/)[0]).toMatch(/^key,value,/);
    // Only finished files, no temporary ones.
    expect(fs.readdirSync(dir).sort()).toEqual(['a.CSV', 'a.json', 'a.jsonl', 'a.ndjson']);

    await expect(exportToFile(kv, path.join(dir, 'a.txt'))).rejects.toThrow(/cannot tell the format of .*a\.txt from its extension/);
    expect(fs.existsSync(path.join(dir, 'a.txt'))).toBe(false);

    // What was exported imports unchanged, from any of the formats.
    for (const name of ['a.json', 'a.jsonl', 'a.CSV']) {
      const copy = await KV.create(`copy-${name.replace('.', '-')}`, { backend });
      expect((await importFromFile(copy, path.join(dir, name))).entries).toBe(2);
      const binary = await copy.getEntry('binary');
      expect([...(binary?.value ?? [])]).toEqual([0xff, 0x00, 0xfe]);
      expect(binary?.expiration).toBe(expiration);
      expect(await copy.getWithMetadata('text')).toEqual({ value: 'hello', metadata: { v: 1 } });
    }
  });

  it('reports invalid entries with the engine report and writes nothing', async () => {
    const kv = await KV.create('checked', { backend });
    const file = path.join(tempDir('manage-import'), 'bad.jsonl');
    fs.writeFileSync(
      file,
      `${JSON.stringify({ key: 'ok', value: 'v' })}\n${JSON.stringify({ key: '', value: 'v' })}\n{"key": "x", "value": "v", "expiration": 5}\n`,
    );
    for (const dryRun of [true, false]) {
      const error = await importFromFile(kv, file, { dryRun }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(InvalidEntriesError);
      const report = invalidEntriesReport(error as InvalidEntriesError);
      expect(report).toContain(`2 of 3 entries in ${file} are invalid; nothing was written:\n`);
      expect(report).toMatch(/entry 1 \(line 2\) key "": /);
      expect(report).toMatch(/entry 2 \(line 3\) key "x": EXPIRATION_INVALID: .*in the past/);
    }
    expect(await kv.namespaceInfo()).toMatchObject({ keyCount: 0 });
    // The report is capped, the count is not.
    fs.writeFileSync(file, jsonLines(100).replace(/"key":"k0000[0-4]\d"/g, '"key":""'));
    const many = (await importFromFile(kv, file).catch((e: unknown) => e)) as InvalidEntriesError;
    expect(invalidEntriesReport(many)).toContain('… and 30 more (50 invalid entries in all)');
    expect(await kv.namespaceInfo()).toMatchObject({ keyCount: 0 });

    await expect(importFromFile(kv, path.join(path.dirname(file), 'data.yaml'))).rejects.toThrow(/cannot tell the format/);
  });

  it('stops at Ctrl-C: no export file, nothing imported on the local store', async () => {
    // Listeners other code of this worker left (its files share the process) are not ours to count.
    const before = process.listeners('SIGINT');
    const kv = await KV.create('interrupted', { backend });
    const dir = tempDir('manage-interrupt');
    const input = path.join(dir, 'in.jsonl');
    fs.writeFileSync(input, jsonLines(20_000));
    await expect(importFromFile(kv, input, { onProgress: sigintAfter(1) })).rejects.toBeInstanceOf(InterruptedError);
    expect(await kv.namespaceInfo()).toMatchObject({ keyCount: 0 });

    expect((await importFromFile(kv, input)).written).toBe(20_000);
    await expect(exportToFile(kv, path.join(dir, 'out.json'), sigintAfter(1))).rejects.toBeInstanceOf(InterruptedError);
    expect(fs.readdirSync(dir)).toEqual(['in.jsonl']);
    expect(process.listeners('SIGINT').filter((listener) => !before.includes(listener))).toEqual([]);
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
