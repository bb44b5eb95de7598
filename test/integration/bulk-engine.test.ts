import fs from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { expect, it } from 'vitest';
import type { Backend, BulkWriter } from '../../src/lib/backends/backend.js';
import { exportEntries } from '../../src/lib/bulk/export.js';
import { importEntries } from '../../src/lib/bulk/import.js';
import { InvalidEntriesError } from '../../src/lib/bulk/import-errors.js';
import { KV } from '../../src/lib/kv.js';
import { LARGE_VALUE_CHARS } from '../../src/lib/memory.js';
import { forEachBackend } from '../backends.js';
import { tempDir } from '../helpers.js';

/** The same backend, but its bulk writer says it cannot roll back (as a remote one). */
function nonAtomic(backend: Backend): Backend {
  return new Proxy(backend, {
    get(target, property, receiver) {
      if (property === 'bulkWriter') {
        return async (namespace: string): Promise<BulkWriter> => {
          const writer = await target.bulkWriter(namespace);
          // Writes are committed batch by batch: abort() undoes nothing.
          return {
            atomic: false,
            write: (entries) => writer.write(entries),
            commit: () => writer.commit(),
            abort: () => writer.commit(),
          };
        };
      }
      const value = Reflect.get(target, property, receiver);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

function lines(count: number, bad?: number): string {
  let text = '';
  for (let i = 0; i < count; i++)
    text += `${JSON.stringify(i === bad ? { key: '', value: 'x' } : { key: `k${String(i).padStart(6, '0')}`, value: `v${i}` })}\n`;
  return text;
}

async function keyCount(kv: KV): Promise<number> {
  return (await kv.namespaceInfo()).keyCount;
}

/**
 * The import engine is client code: it runs on the local store and on kvadm serve (both atomic:
 * one transaction, one bulk session). The emulator's target is the http backend again, on a
 * server without sessions: that path is here through `nonAtomic`, and against real servers in
 * bulk-sessions.test.ts and interrupted-jobs.test.ts; its server's bulk writes are checked in
 * kv-library.test.ts on every target.
 */
const CLIENT_TARGETS = { only: ['local', 'http'] } as const;

forEachBackend(
  'import engine',
  (target) => {
    it('on a non-atomic backend validates everything first (stdin spooled), so a bad last entry writes nothing', async () => {
      const backend = nonAtomic(await target.createBackend());
      const kv = await KV.create('engine-two-pass', { backend });
      const spoolDir = tempDir('spool');
      const bad = Readable.from([Buffer.from(lines(5000, 4999))]);
      await expect(importEntries(kv, { kind: 'stream', stream: bad }, { format: 'jsonl', spoolDir })).rejects.toBeInstanceOf(
        InvalidEntriesError,
      );
      expect(await keyCount(kv)).toBe(0);
      expect(fs.readdirSync(spoolDir)).toEqual([]);
      const good = Readable.from([Buffer.from(lines(5000))]);
      const summary = await importEntries(kv, { kind: 'stream', stream: good }, { format: 'jsonl', spoolDir });
      expect(summary).toMatchObject({ entries: 5000, written: 5000, atomic: false });
      expect(await keyCount(kv)).toBe(5000);
      expect(fs.readdirSync(spoolDir)).toEqual([]);
      await backend.close();
    });

    it('validate-first from a file reads it twice and can skip invalid entries', async () => {
      const backend = await target.createBackend();
      const kv = await KV.create('engine-file', { backend });
      const file = path.join(tempDir('file'), 'in.jsonl');
      fs.writeFileSync(file, lines(3000, 1500));
      const summary = await importEntries(kv, { kind: 'file', path: file }, { format: 'jsonl', validateFirst: true, skipInvalid: true });
      // One transaction on the local store, one staged bulk session on kvadm serve.
      expect(summary).toMatchObject({ entries: 3000, written: 2999, skipped: 1, failed: 0, atomic: true });
      expect(summary.invalid[0]).toMatchObject({ index: 1500, line: 1501, code: 'KEY_EMPTY' });
      expect(await keyCount(kv)).toBe(2999);
      await backend.close();
    });

    it('exports what it imported, in key order, skipping expired keys', async () => {
      let now = Date.now();
      const backend = await target.createBackend({ clock: () => now });
      const kv = await KV.create('engine-expiry', { backend, clock: () => now });
      const input = [
        { key: 'b', value: 'short-lived', expiration_ttl: 60 },
        { key: 'a', value: 'forever' },
      ];
      await importEntries(kv, { kind: 'stream', stream: Readable.from([JSON.stringify(input)]) }, { format: 'json' });
      const collect = async (): Promise<string> => {
        const chunks: Buffer[] = [];
        const out = new (await import('node:stream')).PassThrough();
        out.on('data', (c: Buffer) => chunks.push(c));
        await exportEntries(kv, { kind: 'stream', stream: out }, { format: 'jsonl' });
        return Buffer.concat(chunks).toString();
      };
      expect(await collect()).toMatch(/^\{"key":"a","value":"forever"\}\n\{"key":"b","value":"short-lived","expiration":\d+\}\n$/);
      now += 61_000;
      expect(await collect()).toBe('{"key":"a","value":"forever"}\n');
      await backend.close();
    });

    it('stores a large value exactly (in every format on the local store), with small entries beside it in the same batch', async () => {
      // Long enough for the large-value path (collections between its copies, a row of its own
      // with a small page cache); quotes, backslashes, line breaks and a two-byte character all along.
      const unit = `${'x'.repeat(40)}"${'y'.repeat(40)}\\\né${'z'.repeat(16)}`;
      const large = unit.repeat(Math.ceil((LARGE_VALUE_CHARS + 1) / unit.length));
      // 150 small entries after the large one: more than one multi-row INSERT takes.
      const small = Array.from({ length: 150 }, (_, i): [string, string] => [`s${String(i).padStart(3, '0')}`, `v${i}`]);
      const entries: [string, string][] = [['first', 'a'], ['large', large], ...small];
      const json = entries.map(([key, value]) => JSON.stringify({ key, value }));
      const files = {
        json: `[\n${json.join(',\n')}\n]\n`,
        jsonl: `${json.join('\n')}\n`,
        csv: `key,value\n${entries.map(([key, value]) => `${key},"${value.replaceAll('"', '""')}"`).join('\n')}\n`,
      };
      const dir = tempDir('large-import');
      const backend = await target.createBackend();
      // Each format's scanner takes the large-value path in the client, whatever the store; the
      // store's side (a large row locally, a large batch over http) is the same for every format.
      const formats = (Object.entries(files) as [keyof typeof files, string][]).filter(
        ([format]) => target.name === 'local' || format === 'jsonl',
      );
      for (const [format, text] of formats) {
        const file = path.join(dir, `in.${format}`);
        fs.writeFileSync(file, text);
        const kv = await KV.create(`large-${format}`, { backend });
        const summary = await importEntries(kv, { kind: 'file', path: file }, { format });
        expect(summary).toMatchObject({ entries: entries.length, written: entries.length, invalidCount: 0 });
        expect(await kv.get('large')).toBe(large);
        expect(await kv.get('first')).toBe('a');
        expect(await kv.get('s149')).toBe('v149');
        expect(await keyCount(kv)).toBe(entries.length);
      }
      await backend.close();
    });
  },
  CLIENT_TARGETS,
);
