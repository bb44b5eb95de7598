// kvadm serve under load: single-key GET and PUT throughput at concurrency 32
// (autocannon), and importing 100,000 and 1,000,000 entries through HTTP (keys/s, peak
// RSS of client and server). Goal: at least 100,000 keys/s for the HTTP import.
//
// PUT uses a distinct key per request and a server started with --no-write-limit: with
// the production limit (one write per second per key) repeated keys would get 429s.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import autocannon from 'autocannon';
import { binPath, printTable, repoRoot, runMeasured, tempDir } from '../util.js';

export const title = 'HTTP: kvadm serve throughput and remote import';

const SECONDS = Number(process.env.BENCH_HTTP_SECONDS ?? 5);
const IMPORT_SIZES = (process.env.BENCH_HTTP_IMPORT ?? '100000,1000000').split(',').map(Number);

function startServer(dataDir) {
  const child = spawn(process.execPath, [binPath, 'serve', '--port', '0', '--data-dir', dataDir, '--no-write-limit', '--quiet'], {
    stdio: ['ignore', 'ignore', 'pipe'],
    env: { ...process.env, KVADM_TOKEN: '' },
  });
  return new Promise((resolve, reject) => {
    let stderr = '';
    const timer = setTimeout(() => reject(new Error(`kvadm serve did not start: ${stderr}`)), 30_000);
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
      const match = /^(http:\/\/\S+\/client\/v4)$/m.exec(stderr);
      if (match) {
        clearTimeout(timer);
        resolve({ child, url: match[1] });
      }
    });
  });
}

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

async function remoteImport() {
  const rows = [];
  const importCommand = fs.existsSync(path.join(repoRoot, 'dist', 'commands', 'import.js'));
  for (const count of IMPORT_SIZES) {
    const server = await startServer(tempDir('http-import'));
    let result;
    if (importCommand) {
      const file = path.join(tempDir('http-import-file'), 'data.jsonl');
      const out = fs.createWriteStream(file);
      for (let i = 0; i < count; i++) {
        if (
          !out.write(
            `${JSON.stringify({ key: `key:${String(i).padStart(8, '0')}`, value: `{"id":${i},"name":"user ${i}","active":true}` })}\n`,
          )
        ) {
          await new Promise((resolve) => out.once('drain', resolve));
        }
      }
      await new Promise((resolve) => out.end(resolve));
      const measured = await runMeasured(process.execPath, [binPath, 'import', file, '--format', 'jsonl'], {
        env: { ...process.env, KVADM_BACKEND: 'http', KVADM_URL: server.url, KVADM_TOKEN: '' },
      });
      result = { ms: measured.ms, rssMb: measured.rssMb, via: 'kvadm import (jsonl file)' };
    } else {
      const measured = await runMeasured(process.execPath, [
        path.join(repoRoot, 'bench', 'http-import-client.js'),
        server.url,
        'default',
        String(count),
      ]);
      result = { ms: measured.ms, rssMb: measured.rssMb, via: 'HttpBackend.bulkWriter (library)' };
    }
    const serverRss = peakRssMb(server.child.pid);
    const listed = await fetch(`${server.url}/accounts/bench/storage/kv/namespaces/default?stats=true`).then((r) => r.json());
    await stopServer(server);
    const stored = listed.result?.stats?.key_count;
    if (stored !== count) throw new Error(`import of ${count} stored ${stored} keys`);
    rows.push([
      count.toLocaleString('en-US'),
      result.via,
      (result.ms / 1000).toFixed(2),
      Math.round(count / (result.ms / 1000)).toLocaleString('en-US'),
      result.rssMb?.toFixed(0) ?? '?',
      serverRss?.toFixed(0) ?? '?',
    ]);
  }
  console.log('');
  printTable(['entries', 'client', 'seconds', 'keys/s', 'client peak RSS MB', 'server peak RSS MB'], rows);
  console.log('\ngoal: ≥ 100,000 keys/s (wall time of the client process, start-up included)');
}

export async function run() {
  await throughput();
  await remoteImport();
}
