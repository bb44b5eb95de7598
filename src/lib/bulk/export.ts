/**
 * The export engine: every live key of a namespace (or under a prefix) with its value,
 * metadata and absolute expiration, page by page from the backend's scan, written with
 * backpressure. Output is deterministic (key order, field order, compact metadata), so
 * exporting what an export imported gives the same bytes.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Writable } from 'node:stream';
import type { KV } from '../kv.js';
import { type Format, exportWriter, toExportEntry } from '../formats/index.js';
import { abortable, unlessAborted } from './interrupt.js';
import { checkWritable, close, write } from './io.js';

export interface ExportOptions {
  format: Format;
  /** CSV field delimiter (default ","). */
  delimiter?: string;
  /** Only keys starting with this. */
  prefix?: string;
  /** Called after each page with the running count. */
  onProgress?: (progress: { entries: number }) => void;
  /** Entries read from the backend at a time (default 2000). */
  pageSize?: number;
  /** Aborting it (Ctrl-C) stops the export with InterruptedError; the temporary file is removed. */
  signal?: AbortSignal;
}

export type ExportTarget = { kind: 'file'; path: string } | { kind: 'stream'; stream: Writable; name?: string };

export interface ExportSummary {
  namespace: string;
  /** The file written, or "stdout". */
  target: string;
  format: Format;
  prefix: string | null;
  entries: number;
  /** Values written as base64 because they are not valid UTF-8. */
  base64Values: number;
  bytes: number;
  seconds: number;
  keysPerSecond: number;
}

export async function exportEntries(kv: KV, target: ExportTarget, options: ExportOptions): Promise<ExportSummary> {
  const started = performance.now();
  let out: Writable;
  let temporary: string | null = null;
  if (target.kind === 'file') {
    checkWritable(target.path, 'the export file');
    // Write beside the target and rename at the end: an interrupted export never leaves half a file.
    temporary = path.join(path.dirname(path.resolve(target.path)), `.${path.basename(target.path)}.${process.pid}.tmp`);
    out = fs.createWriteStream(temporary, { highWaterMark: 1 << 20 });
  } else {
    out = target.stream;
  }
  const writer = exportWriter(options.format, options.delimiter);
  let entries = 0;
  let base64Values = 0;
  let bytes = 0;
  const emit = async (text: string): Promise<void> => {
    bytes += Buffer.byteLength(text);
    await unlessAborted(write(out, text), options.signal);
  };
  try {
    await emit(writer.begin());
    const pages = kv.scan({ ...(options.prefix ? { prefix: options.prefix } : {}), batchSize: options.pageSize ?? 2000 });
    for await (const page of abortable(pages, options.signal)) {
      const items = page.map(toExportEntry);
      for (const item of items) if (item.base64) base64Values++;
      await emit(writer.write(items));
      entries += page.length;
      options.onProgress?.({ entries });
    }
    await emit(writer.end());
    if (temporary) {
      await close(out);
      fs.renameSync(temporary, (target as { path: string }).path);
      temporary = null;
    }
  } finally {
    if (temporary) {
      out.destroy();
      fs.rmSync(temporary, { force: true });
    }
  }
  const seconds = (performance.now() - started) / 1000;
  return {
    namespace: kv.name,
    target: target.kind === 'file' ? target.path : (target.name ?? 'stdout'),
    format: options.format,
    prefix: options.prefix ?? null,
    entries,
    base64Values,
    bytes,
    seconds: Math.round(seconds * 1000) / 1000,
    keysPerSecond: seconds > 0 ? Math.round(entries / seconds) : entries,
  };
}
