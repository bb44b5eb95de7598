// Command latency: `kvadm kv get KEY` on the local store beside `node -e 0`, same run.
import { binPath, median, printTable, tempDir, timeRun } from '../util.js';

export const title = 'Command latency: kv get (local store) vs node -e 0';

export async function run() {
  const dataDir = tempDir('latency');
  const env = { ...process.env, KVADM_DATA_DIR: dataDir, KVADM_CONFIG_DIR: tempDir('latency-config') };
  timeRun(process.execPath, [binPath, 'kv', 'put', 'greeting', 'hello'], { env });
  const runs = Number(process.env.BENCH_LATENCY_RUNS ?? 30);
  const slowEnv = { ...env, KVADM_NO_FAST_PATH: '1' };
  const node = [];
  const get = [];
  const viaOclif = [];
  // Interleave so all three see the same machine load; the first rounds warm the caches.
  for (let i = 0; i < runs + 3; i++) {
    const n = timeRun(process.execPath, ['-e', '0'], { env });
    const g = timeRun(process.execPath, [binPath, 'kv', 'get', 'greeting'], { env });
    const o = timeRun(process.execPath, [binPath, 'kv', 'get', 'greeting'], { env: slowEnv });
    if (i >= 3) {
      node.push(n);
      get.push(g);
      viaOclif.push(o);
    }
  }
  const nodeMedian = median(node);
  const getMedian = median(get);
  const oclifMedian = median(viaOclif);
  printTable(
    ['command', 'runs', 'median ms', 'ratio to node -e 0'],
    [
      ['node -e 0', runs, nodeMedian.toFixed(1), '1.00'],
      ['kvadm kv get greeting', runs, getMedian.toFixed(1), (getMedian / nodeMedian).toFixed(2)],
      ['kvadm kv get greeting (through oclif: KVADM_NO_FAST_PATH=1)', runs, oclifMedian.toFixed(1), (oclifMedian / nodeMedian).toFixed(2)],
    ],
  );
  console.log(`\nratio kv get / node -e 0: ${(getMedian / nodeMedian).toFixed(2)} (goal ≤ 1.8)`);
}
