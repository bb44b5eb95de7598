// Command latency: the commands scripts call in loops, on the local store, each beside
// `node -e 0` and beside the same command through oclif (KVADM_NO_FAST_PATH=1), same run.
import { binPath, median, printTable, tempDir, timeRun } from '../util.js';

export const title = 'Command latency: script-called commands (local store) vs node -e 0';

/**
 * Each command's argv for run i of a column (tag '' or '-oclif'): writes use their own
 * key, deletes remove a key seeded before, so both columns do the same work.
 */
const COMMANDS = [
  ['kv get', () => ['kv', 'get', 'greeting']],
  ['kv put', (i, tag) => ['kv', 'put', `put-${i}${tag}`, 'hello']],
  ['kv list', () => ['kv', 'list', '--prefix', 'greeting']],
  ['kv delete', (i, tag) => ['kv', 'delete', `seed-${i}${tag}`]],
  ['ns list', () => ['ns', 'list']],
];

export async function run() {
  const dataDir = tempDir('latency');
  const env = { ...process.env, KVADM_DATA_DIR: dataDir, KVADM_CONFIG_DIR: tempDir('latency-config') };
  const slowEnv = { ...env, KVADM_NO_FAST_PATH: '1' };
  const runs = Number(process.env.BENCH_LATENCY_RUNS ?? 30);
  const warmup = 3;
  timeRun(process.execPath, [binPath, 'kv', 'put', 'greeting', 'hello'], { env });
  for (let i = 0; i < runs + warmup; i++) {
    for (const tag of ['', '-oclif']) timeRun(process.execPath, [binPath, 'kv', 'put', `seed-${i}${tag}`, 'x'], { env });
  }

  const node = [];
  const fast = COMMANDS.map(() => []);
  const viaOclif = COMMANDS.map(() => []);
  // Interleave so every column sees the same machine load; the first rounds warm the caches.
  for (let i = 0; i < runs + warmup; i++) {
    const n = timeRun(process.execPath, ['-e', '0'], { env });
    if (i >= warmup) node.push(n);
    for (const [c, [, argv]] of COMMANDS.entries()) {
      const f = timeRun(process.execPath, [binPath, ...argv(i, '')], { env });
      const o = timeRun(process.execPath, [binPath, ...argv(i, '-oclif')], { env: slowEnv });
      if (i >= warmup) {
        fast[c].push(f);
        viaOclif[c].push(o);
      }
    }
  }

  const nodeMedian = median(node);
  const rows = [['node -e 0', runs, nodeMedian.toFixed(1), '1.00']];
  const ratios = [];
  for (const [c, [name]] of COMMANDS.entries()) {
    const f = median(fast[c]);
    const o = median(viaOclif[c]);
    ratios.push([name, f / nodeMedian, o / nodeMedian]);
    rows.push([`kvadm ${name}`, runs, f.toFixed(1), (f / nodeMedian).toFixed(2)]);
    rows.push([`kvadm ${name} (through oclif: KVADM_NO_FAST_PATH=1)`, runs, o.toFixed(1), (o / nodeMedian).toFixed(2)]);
  }
  printTable(['command', 'runs', 'median ms', 'ratio to node -e 0'], rows);
  console.log('');
  for (const [name, f, o] of ratios) {
    console.log(`ratio ${name} / node -e 0: ${f.toFixed(2)} (goal ≤ 1.8; through oclif ${o.toFixed(2)})`);
  }
}
