// Shared bench helpers: timing child processes, medians, peak RSS, tables.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const binPath = path.join(repoRoot, 'bin', 'run.js');

export function tempDir(label) {
  return fs.mkdtempSync(path.join(os.tmpdir(), `kvadm-bench-${label}-`));
}

export function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** Wall time of one synchronous child run, in ms. */
export function timeRun(command, args, options = {}) {
  const start = process.hrtime.bigint();
  const result = spawnSync(command, args, { stdio: ['ignore', 'ignore', 'pipe'], ...options });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} failed: ${result.stderr}`);
  return ms;
}

/**
 * Run a child and report wall time and peak RSS (from /usr/bin/time when present,
 * otherwise from the child's own report is not available and rss is null).
 */
export function runMeasured(command, args, options = {}) {
  return new Promise((resolve, reject) => {
    const useTime = fs.existsSync('/usr/bin/time');
    const argv = useTime ? ['/usr/bin/time', '-f', '__RSS_KB=%M', command, ...args] : [command, ...args];
    const start = process.hrtime.bigint();
    const child = spawn(argv[0], argv.slice(1), { stdio: ['pipe', 'pipe', 'pipe'], ...options });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    child.stdout.resume();
    if (options.input) fs.createReadStream(options.input).pipe(child.stdin);
    else child.stdin.end();
    child.on('close', (code) => {
      const ms = Number(process.hrtime.bigint() - start) / 1e6;
      const match = /__RSS_KB=(\d+)/.exec(stderr);
      if (code !== (options.expectCode ?? 0)) return reject(new Error(`${argv.join(' ')} exited ${code}: ${stderr.slice(-2000)}`));
      resolve({ ms, rssMb: match ? Number(match[1]) / 1024 : null, stderr });
    });
  });
}

export function printTable(headers, rows) {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => String(r[i]).length)));
  const line = (cells) => `| ${cells.map((c, i) => String(c).padEnd(widths[i])).join(' | ')} |`;
  console.log(line(headers));
  console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
  for (const row of rows) console.log(line(row));
}

/** `kvadm serve` on a free port over `dataDir` (no token, no write limit); resolves with the child and its URL. */
export function startServer(dataDir) {
  const child = spawn(process.execPath, [binPath, 'serve', '--port', '0', '--data-dir', dataDir, '--no-write-limit', '--quiet'], {
    stdio: ['ignore', 'ignore', 'pipe'],
    env: { ...process.env, KVADM_TOKEN: '', KVADM_CONFIG_DIR: path.join(dataDir, 'config') },
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
