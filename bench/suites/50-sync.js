// diff and sync between stores, measured beside an export of the same SRC in the same run:
// - diff of two local namespaces of N identical keys (default 1,000,000) vs `kvadm export` of SRC
//   (goal: diff within 2× the export's time; peak RSS < 250 MiB);
// - sync of M changed keys (default 100,000) local → local (goal ≥ 150,000 keys/s) and
//   local → kvadm serve (goal ≥ 50% of the local rate).
// Sizes: BENCH_SYNC_DIFF (default 1000000), BENCH_SYNC_CHANGED (default 100000).
import { once } from 'node:events';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { writeBulkFile } from '../bulk-data.js';
import { binPath, median, printTable, runMeasured, startServer, tempDir } from '../util.js';

export const title = 'diff and sync between stores (local, kvadm serve) vs export';

const DIFF_KEYS = Number(process.env.BENCH_SYNC_DIFF ?? 1_000_000);
const CHANGED_KEYS = Number(process.env.BENCH_SYNC_CHANGED ?? 100_000);
const RUNS = 3;
/** Syncs are short (about a second) and their remote figure swings with the machine's load: more runs for a steadier median. */
const SYNC_RUNS = 5;

const rate = (count, ms) => Math.round(count / (ms / 1000)).toLocaleString('en-US');

function kvadm(args, env) {
  const result = spawnSync(process.execPath, [binPath, ...args], { env, encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`kvadm ${args.join(' ')} exited ${result.status}: ${result.stderr}`);
  return result;
}

/** `count` JSON Lines entries user:00000000… whose values carry `label`. */
async function writeLabelled(file, count, label) {
  const out = fs.createWriteStream(file);
  let chunk = '';
  for (let i = 0; i < count; i++) {
    chunk += `{"key":"user:${String(i).padStart(8, '0')}","value":"${label} ${i} lorem ipsum dolor sit amet"}\n`;
    if (chunk.length > 1 << 20) {
      if (!out.write(chunk)) await once(out, 'drain');
      chunk = '';
    }
  }
  out.end(chunk);
  await once(out, 'finish');
}

async function diffVersusExport(dir, env) {
  const input = path.join(dir, 'same.jsonl');
  await writeBulkFile(input, 'jsonl', DIFF_KEYS);
  kvadm(['import', input, '-n', 'diff-a', '--create-namespace'], env);
  kvadm(['import', input, '-n', 'diff-b', '--create-namespace'], env);
  fs.rmSync(input, { force: true });
  const exports = [];
  const diffs = [];
  const runs = DIFF_KEYS >= 1_000_000 ? 2 : RUNS;
  for (let r = 0; r < runs; r++) {
    const output = path.join(dir, 'export.jsonl');
    exports.push(await runMeasured(process.execPath, [binPath, 'export', output, '-n', 'diff-a'], { env }));
    fs.rmSync(output, { force: true });
    diffs.push(await runMeasured(process.execPath, [binPath, 'diff', 'diff-a', 'diff-b'], { env }));
  }
  const exportMs = median(exports.map((m) => m.ms));
  const diffMs = median(diffs.map((m) => m.ms));
  const rss = (list) => Math.max(...list.map((m) => m.rssMb ?? 0)).toFixed(0);
  printTable(
    ['what (local store)', 'keys', 'seconds (median)', 'keys/s', 'peak RSS MB'],
    [
      ['export SRC to a jsonl file', DIFF_KEYS, (exportMs / 1000).toFixed(2), rate(DIFF_KEYS, exportMs), rss(exports)],
      ['diff SRC DST (identical)', DIFF_KEYS, (diffMs / 1000).toFixed(2), rate(DIFF_KEYS, diffMs), rss(diffs)],
    ],
  );
  console.log(`\ndiff / export = ${(diffMs / exportMs).toFixed(2)} (goal ≤ 2); ${runs} runs each, whole processes\n`);
  kvadm(['ns', 'delete', 'diff-a', '--force'], env);
  kvadm(['ns', 'delete', 'diff-b', '--force'], env);
}

/** Median time of `sync src DST` over SYNC_RUNS, DST reset to the old values before each run. */
async function timeSync(dst, reset, env) {
  const runs = [];
  for (let r = 0; r < SYNC_RUNS; r++) {
    reset();
    const measured = await runMeasured(process.execPath, [binPath, 'sync', 'sync-src', dst], { env });
    // The summary line: "synced 'a' to 'b': 100,000 written, 0 deleted, … (0.52 s)".
    const line = /: ([\d,]+) written, .*\(([\d.]+) s\)/.exec(measured.stderr);
    if (!line) throw new Error(`no sync summary in: ${measured.stderr}`);
    runs.push({ ...measured, engineMs: Number(line[2]) * 1000, written: Number(line[1].replaceAll(',', '')) });
  }
  for (const run of runs) if (run.written !== CHANGED_KEYS) throw new Error(`sync wrote ${run.written} keys, expected ${CHANGED_KEYS}`);
  return {
    ms: median(runs.map((m) => m.ms)),
    engineMs: median(runs.map((m) => m.engineMs)),
    rssMb: Math.max(...runs.map((m) => m.rssMb ?? 0)),
  };
}

async function syncChanged(dir, env) {
  const fresh = path.join(dir, 'new.jsonl');
  const stale = path.join(dir, 'old.jsonl');
  await writeLabelled(fresh, CHANGED_KEYS, 'new');
  await writeLabelled(stale, CHANGED_KEYS, 'old');
  kvadm(['import', fresh, '-n', 'sync-src', '--create-namespace'], env);
  kvadm(['ns', 'create', 'sync-dst'], env);
  const local = await timeSync('sync-dst', () => kvadm(['import', stale, '-n', 'sync-dst'], env), env);

  const server = await startServer(path.join(dir, 'served'));
  let remote;
  try {
    const remoteEnv = { ...env, KVADM_BACKEND: 'http', KVADM_URL: server.url, KVADM_TOKEN: '' };
    kvadm(['config', 'set', '--profile', 'served', 'backend', 'http'], env);
    kvadm(['config', 'set', '--profile', 'served', 'url', server.url], env);
    kvadm(['ns', 'create', 'sync-dst'], remoteEnv);
    remote = await timeSync('served:sync-dst', () => kvadm(['import', stale, '-n', 'sync-dst'], remoteEnv), env);
  } finally {
    server.child.kill('SIGTERM');
    await once(server.child, 'exit');
  }
  printTable(
    ['sync of changed keys', 'keys', 'seconds (median)', 'keys/s whole process', 'keys/s engine', 'peak RSS MB'],
    [local, remote].map((m, i) => [
      i === 0 ? 'local → local' : 'local → kvadm serve',
      CHANGED_KEYS,
      (m.ms / 1000).toFixed(2),
      rate(CHANGED_KEYS, m.ms),
      rate(CHANGED_KEYS, m.engineMs),
      m.rssMb.toFixed(0),
    ]),
  );
  console.log(
    `\nlocal: ${rate(CHANGED_KEYS, local.engineMs)} keys/s engine (goal ≥ 150,000); serve / local = ${(local.engineMs / remote.engineMs).toFixed(2)} engine, ${(local.ms / remote.ms).toFixed(2)} whole process (goal ≥ 0.5). Engine = the summary's seconds (compare + write + commit, without process start-up); ${SYNC_RUNS} runs each`,
  );
}

export async function run() {
  const dir = tempDir('sync');
  const env = { ...process.env, KVADM_DATA_DIR: path.join(dir, 'store'), KVADM_CONFIG_DIR: path.join(dir, 'config') };
  try {
    await diffVersusExport(dir, env);
    await syncChanged(dir, env);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
