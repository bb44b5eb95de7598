// Bulk import and export: N generated entries in each format, imported into an empty namespace
// and exported again by the real binary (wall time of the whole process, peak RSS from
// /usr/bin/time), beside a bare better-sqlite3 insert of the same rows in one transaction,
// measured in the same run. Sizes: BENCH_BULK_SIZES (default "100000,1000000").
// Then one large value (1, 8 and 25 MiB: BENCH_LARGE_MIB) per file in each format: time per MiB
// side by side shows whether reading a long token grows linearly, and peak RSS that it is not
// copied over and over. BENCH_BULK_PARTS picks "entries", "large" or both (the default).
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { writeBulkFile } from '../bulk-data.js';
import { binPath, median, printTable, repoRoot, runMeasured, tempDir } from '../util.js';

export const title = 'Bulk import / export (local store) vs a bare better-sqlite3 insert';

const FORMATS = ['json', 'jsonl', 'csv'];

function bare(count, dir, mode) {
  const file = path.join(dir, `bare-${mode}-${count}-${Math.random().toString(36).slice(2)}.sqlite`);
  const result = spawnSync(process.execPath, [path.join(repoRoot, 'bench', 'bare-insert.js'), String(count), file, mode], {
    encoding: 'utf8',
  });
  if (result.status !== 0) throw new Error(`bare insert failed: ${result.stderr}`);
  for (const suffix of ['', '-wal', '-shm']) fs.rmSync(file + suffix, { force: true });
  return JSON.parse(result.stdout).ms;
}

const rate = (count, ms) => Math.round(count / (ms / 1000)).toLocaleString('en-US');

export async function run() {
  const parts = (process.env.BENCH_BULK_PARTS ?? 'entries,large').split(',');
  if (parts.includes('entries')) await runEntries();
  if (parts.includes('large')) await runLargeValues();
}

async function runEntries() {
  const sizes = (process.env.BENCH_BULK_SIZES ?? '100000,1000000').split(',').map(Number);
  const dir = tempDir('bulk');
  const env = { ...process.env, KVADM_DATA_DIR: path.join(dir, 'store'), KVADM_CONFIG_DIR: path.join(dir, 'config') };
  const rows = [];
  const ratios = [];
  try {
    for (const count of sizes) {
      const runs = count >= 1_000_000 ? 1 : 3;
      const bareSingle = [];
      const bareMulti = [];
      for (let r = 0; r < runs; r++) {
        bareSingle.push(bare(count, dir, 'single'));
        bareMulti.push(bare(count, dir, 'multi'));
      }
      const bareMs = median(bareSingle);
      rows.push(['bare insert (prepared, 1 txn)', '-', count, '-', '-', rate(count, bareMs), '-', '-', '-']);
      rows.push(['bare insert (100-row INSERTs)', '-', count, '-', '-', rate(count, median(bareMulti)), '-', '-', '-']);
      for (const format of FORMATS) {
        const input = path.join(dir, `in-${count}.${format}`);
        const size = await writeBulkFile(input, format, count);
        const imports = [];
        const exports = [];
        for (let r = 0; r < runs; r++) {
          const namespace = `b-${format}-${count}-${r}`;
          imports.push(await runMeasured(process.execPath, [binPath, 'import', input, '-n', namespace, '--create-namespace'], { env }));
          const output = path.join(dir, `out-${count}-${r}.${format}`);
          exports.push(await runMeasured(process.execPath, [binPath, 'export', output, '-n', namespace], { env }));
          if (r === 0 && format === 'json' && fs.statSync(output).size !== size) throw new Error('export differs from the generated file');
          fs.rmSync(output, { force: true });
          spawnSync(process.execPath, [binPath, 'ns', 'delete', namespace, '--force'], { env });
        }
        fs.rmSync(input, { force: true });
        const importMs = median(imports.map((m) => m.ms));
        // The engine's own time (from the summary line): without process start-up and the final close.
        const engineMs = median(imports.map(engineTime));
        const exportMs = median(exports.map((m) => m.ms));
        const rss = (list) => Math.max(...list.map((m) => m.rssMb ?? 0)).toFixed(0);
        rows.push([
          'kvadm',
          format,
          count,
          (size / 1e6).toFixed(0),
          `${(importMs / 1000).toFixed(2)} (${(engineMs / 1000).toFixed(2)})`,
          `${rate(count, importMs)} (${rate(count, engineMs)})`,
          rss(imports),
          rate(count, exportMs),
          rss(exports),
        ]);
        ratios.push({ count, format, importMs, engineMs, exportMs, bareMs });
      }
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
  printTable(
    ['what', 'format', 'entries', 'file MB', 'import s', 'import keys/s', 'import peak RSS MB', 'export keys/s', 'export peak RSS MB'],
    rows,
  );
  console.log(
    '\nkvadm times are whole processes (node + oclif start-up, read, parse, validate, insert, commit, close); in brackets the import engine alone (from its summary). Bare is insert, commit and close, rows prebuilt in memory.',
  );
  for (const r of ratios) {
    console.log(
      `${r.count} ${r.format}: import / bare insert = ${(r.importMs / r.bareMs).toFixed(2)} whole process, ${(r.engineMs / r.bareMs).toFixed(2)} engine (goal ≤ 1.5); export time / import time = ${(r.exportMs / r.importMs).toFixed(2)} (goal ≤ 1)`,
    );
  }
}

const MIB = 1024 * 1024;

/** The import engine's own time in ms, from the summary line kvadm prints. */
const engineTime = (measured) => Number(/, ([\d.]+) s, [\d,]+ keys\/s/.exec(measured.stderr)?.[1]) * 1000;

/**
 * A text value of `bytes` ASCII bytes with a quote and a backslash every 100 characters, so JSON
 * writes escapes and CSV doubles quotes all along the token (the slow paths of both readers).
 */
function largeValue(bytes) {
  const unit = `${'x'.repeat(48)}"${'y'.repeat(49)}\\`;
  return unit.repeat(Math.ceil(bytes / unit.length)).slice(0, bytes);
}

/** One small entry, then the large one, in `format`; resolves to the file size. */
function writeLargeFile(file, format, value) {
  let text;
  if (format === 'csv') text = `key,value\nsmall,v\nlarge,"${value.replace(/"/g, '""')}"\n`;
  else {
    const entries = [JSON.stringify({ key: 'small', value: 'v' }), JSON.stringify({ key: 'large', value })];
    text = format === 'json' ? `[\n${entries.join(',\n')}\n]\n` : `${entries.join('\n')}\n`;
  }
  fs.writeFileSync(file, text);
  return fs.statSync(file).size;
}

/** 25 MiB + 1 byte after base64 decoding, in the second line of a JSON Lines file: refused (exit 2). */
function writeOverLimitFile(file) {
  const value = Buffer.alloc(25 * MIB + 1, 0x61).toString('base64');
  fs.writeFileSync(file, `${JSON.stringify({ key: 'small', value: 'v' })}\n{"key":"large","value":"${value}","base64":true}\n`);
  return fs.statSync(file).size;
}

async function runLargeValues() {
  const sizes = (process.env.BENCH_LARGE_MIB ?? '1,8,25').split(',').map(Number);
  const runs = 3;
  const dir = tempDir('large');
  const env = { ...process.env, KVADM_DATA_DIR: path.join(dir, 'store'), KVADM_CONFIG_DIR: path.join(dir, 'config') };
  const rows = [];
  const perMib = new Map();
  try {
    for (const mib of sizes) {
      const value = largeValue(mib * MIB);
      for (const format of FORMATS) {
        const input = path.join(dir, `large-${mib}.${format}`);
        const size = writeLargeFile(input, format, value);
        const imports = [];
        for (let r = 0; r < runs; r++) {
          const namespace = `l-${format}-${mib}-${r}`;
          imports.push(await runMeasured(process.execPath, [binPath, 'import', input, '-n', namespace, '--create-namespace'], { env }));
          spawnSync(process.execPath, [binPath, 'ns', 'delete', namespace, '--force'], { env });
        }
        fs.rmSync(input, { force: true });
        const ms = median(imports.map((m) => m.ms));
        const engineMs = median(imports.map(engineTime));
        perMib.set(`${format} ${mib}`, ms / mib);
        rows.push([
          format,
          mib,
          (size / 1e6).toFixed(1),
          (ms / 1000).toFixed(2),
          (ms / mib).toFixed(0),
          (engineMs / mib).toFixed(0),
          Math.max(...imports.map((m) => m.rssMb ?? 0)).toFixed(0),
        ]);
      }
    }
    const overLimit = path.join(dir, 'over-limit.jsonl');
    const size = writeOverLimitFile(overLimit);
    const refusals = [];
    for (let r = 0; r < runs; r++) {
      refusals.push(
        await runMeasured(process.execPath, [binPath, 'import', overLimit, '-n', 'refused', '--create-namespace'], { env, expectCode: 2 }),
      );
    }
    rows.push([
      'jsonl, refused',
      '25 + 1 B',
      (size / 1e6).toFixed(1),
      (median(refusals.map((m) => m.ms)) / 1000).toFixed(2),
      '-',
      '-',
      Math.max(...refusals.map((m) => m.rssMb ?? 0)).toFixed(0),
    ]);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
  console.log(`\n### One large value per file (import, median of ${runs})\n`);
  printTable(['format', 'value MiB', 'file MB', 'import s', 'ms per MiB', 'engine ms per MiB', 'peak RSS MB'], rows);
  console.log('\nWhole processes; "engine" is the import engine alone, from its summary line (no start-up).');
  console.log('\nThe refused file has its large value (base64) on line 2: exit 2, nothing written.');
  for (const mib of sizes) {
    const csv = perMib.get(`csv ${mib}`);
    console.log(
      `${mib} MiB: json / csv = ${(perMib.get(`json ${mib}`) / csv).toFixed(2)}, jsonl / csv = ${(perMib.get(`jsonl ${mib}`) / csv).toFixed(2)} (goal ≤ 1.5)`,
    );
  }
}
