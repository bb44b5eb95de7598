// Bulk import and export: N generated entries in each format, imported into an empty namespace
// and exported again by the real binary (wall time of the whole process, peak RSS from
// /usr/bin/time), beside a bare better-sqlite3 insert of the same rows in one transaction,
// measured in the same run. Sizes: BENCH_BULK_SIZES (default "100000,1000000").
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
        const engineMs = median(imports.map((m) => Number(/, ([\d.]+) s, [\d,]+ keys\/s/.exec(m.stderr)?.[1]) * 1000));
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
