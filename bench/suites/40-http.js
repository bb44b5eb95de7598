// kvadm serve under load: single-key GET and PUT throughput at concurrency 32
// (autocannon), and importing 100,000 and 1,000,000 entries through HTTP next to the same
// import into a local store, in the same run (keys/s, peak RSS of client and server).
// Goals: at least 100,000 keys/s for the HTTP import, and at least 40% of the local rate.
// BENCH_HTTP_ONLY=import skips the autocannon part.
//
// PUT uses a distinct key per request and a server started with --no-write-limit: with
// the production limit (one write per second per key) repeated keys would get 429s.
import fs from 'node:fs';
import path from 'node:path';
import autocannon from 'autocannon';
import { writeBulkFile } from '../bulk-data.js';
import { binPath, median, printTable, runMeasured, startServer, tempDir } from '../util.js';

export const title = 'HTTP: kvadm serve throughput and remote import';

const SECONDS = Number(process.env.BENCH_HTTP_SECONDS ?? 5);
const IMPORT_SIZES = (process.env.BENCH_HTTP_IMPORT ?? '100000,1000000').split(',').map(Number);
const IMPORT_RUNS = Number(process.env.BENCH_HTTP_RUNS ?? 3);
const rate = (count, ms) => Math.round(count / (ms / 1000)).toLocaleString('en-US');

/** Peak RSS of a live process, from the kernel (Linux), in MB. */
function peakRssMb(pid) {
  try {
    const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    const match = /VmHWM:\s+(\d+) kB/.exec(status);
    return match ? Number(match[1]) / 1024 : null;
  } catch {
    return null;
  }
}

async function stopServer(server) {
  server.child.kill('SIGTERM');
  await new Promise((resolve) => server.child.once('exit', resolve));
}

function cannon(options) {
  return new Promise((resolve, reject) => {
    autocannon({ connections: 32, duration: SECONDS, ...options }, (error, result) => (error ? reject(error) : resolve(result)));
  });
}

async function throughput() {
  const server = await startServer(tempDir('http-rps'));
  const ns = `${server.url}/accounts/bench/storage/kv/namespaces/default`;
  await fetch(`${ns}/values/bench-key`, { method: 'PUT', body: 'x'.repeat(100) });
  const get = await cannon({ url: `${ns}/values/bench-key` });
  let n = 0;
  const put = await cannon({
    url: ns,
    requests: [
      { method: 'PUT', setupRequest: (req) => ({ ...req, path: `${new URL(ns).pathname}/values/k${n++}`, body: 'x'.repeat(100) }) },
    ],
  });
  const rss = peakRssMb(server.child.pid);
  await stopServer(server);
  const row = (name, r) => [name, r.requests.average.toFixed(0), r.latency.p50, r.latency.p99, r.non2xx + r.errors, r.requests.total];
  printTable(
    ['route (100-byte values, 32 connections)', 'req/s avg', 'p50 ms', 'p99 ms', 'errors', 'requests'],
    [row('GET /values/KEY (same key)', get), row('PUT /values/KEY (distinct keys)', put)],
  );
  console.log(`\nserver peak RSS: ${rss?.toFixed(0) ?? '?'} MB; ${SECONDS} s per route`);
}

/** One import by the real binary; wall time and the engine's own time (from its summary line). */
async function timedImport(file, env, namespace) {
  const measured = await runMeasured(process.execPath, [binPath, 'import', file, '-n', namespace, '--create-namespace'], { env });
  const engineSeconds = Number(/, ([\d.]+) s, [\d,]+ keys\/s/.exec(measured.stderr)?.[1]);
  return { ms: measured.ms, engineMs: engineSeconds * 1000, rssMb: measured.rssMb };
}

/**
 * The same generated JSON Lines file (bench/bulk-data.js: every 10th entry with metadata,
 * every 25th with an expiration) imported into a fresh `kvadm serve` and into a local
 * store, interleaved, a few runs each: the remote rate next to the local one, and the ratio.
 */
async function remoteImport() {
  const rows = [];
  const ratios = [];
  for (const count of IMPORT_SIZES) {
    const runs = count >= 1_000_000 ? 1 : IMPORT_RUNS;
    const dir = tempDir('http-import');
    const file = path.join(dir, 'data.jsonl');
    await writeBulkFile(file, 'jsonl', count);
    const remote = [];
    const local = [];
    let serverRss = 0;
    try {
      for (let r = 0; r < runs; r++) {
        const server = await startServer(path.join(dir, `server-${r}`));
        const namespace = `import-${r}`;
        remote.push(
          await timedImport(
            file,
            { ...process.env, KVADM_BACKEND: 'http', KVADM_URL: server.url, KVADM_TOKEN: '', KVADM_CONFIG_DIR: path.join(dir, 'config') },
            namespace,
          ),
        );
        serverRss = Math.max(serverRss, peakRssMb(server.child.pid) ?? 0);
        const stats = await fetch(`${server.url}/accounts/bench/storage/kv/namespaces/${namespace}?stats=true`).then((res) => res.json());
        await stopServer(server);
        if (stats.result?.stats?.key_count !== count) throw new Error(`import of ${count} stored ${stats.result?.stats?.key_count} keys`);
        local.push(
          await timedImport(
            file,
            {
              ...process.env,
              KVADM_BACKEND: 'local',
              KVADM_DATA_DIR: path.join(dir, `local-${r}`),
              KVADM_CONFIG_DIR: path.join(dir, 'config'),
            },
            namespace,
          ),
        );
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
    const summary = (label, list) => {
      const ms = median(list.map((m) => m.ms));
      const engineMs = median(list.map((m) => m.engineMs));
      return { label, ms, engineMs, rss: Math.max(...list.map((m) => m.rssMb ?? 0)) };
    };
    const byHttp = summary('kvadm import --backend http (fresh kvadm serve)', remote);
    const byLocal = summary('kvadm import (local store)', local);
    for (const s of [byHttp, byLocal]) {
      rows.push([
        count.toLocaleString('en-US'),
        s.label,
        runs,
        `${(s.ms / 1000).toFixed(2)} (${(s.engineMs / 1000).toFixed(2)})`,
        `${rate(count, s.ms)} (${rate(count, s.engineMs)})`,
        s.rss.toFixed(0),
        s === byHttp ? serverRss.toFixed(0) : '-',
      ]);
    }
    ratios.push({ count, whole: byLocal.ms / byHttp.ms, engine: byLocal.engineMs / byHttp.engineMs });
  }
  console.log('');
  printTable(['entries', 'import', 'runs', 'seconds (engine)', 'keys/s (engine)', 'client peak RSS MB', 'server peak RSS MB'], rows);
  console.log(
    '\nmedians; whole client process (start-up included), in brackets the import engine alone (from its summary line). Goal: remote ≥ 100,000 keys/s and ≥ 40% of the local rate.',
  );
  for (const r of ratios) {
    console.log(
      `${r.count.toLocaleString('en-US')} entries: remote rate / local rate = ${(100 * r.whole).toFixed(0)}% whole process, ${(100 * r.engine).toFixed(0)}% engine (goal ≥ 40%)`,
    );
  }
}

export async function run() {
  if (process.env.BENCH_HTTP_ONLY !== 'import') await throughput();
  await remoteImport();
}
