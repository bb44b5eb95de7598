/**
 * kill -9 in the middle of writes: the store opens cleanly, passes integrity_check and
 * holds every write that was acknowledged; a batch cut short leaves none of its rows.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { LocalBackend } from '../../src/lib/backends/local.js';
import { KV } from '../../src/lib/kv.js';
import { binPath, childEnv, repoRoot, tempDir } from '../helpers.js';
import { runCommand } from '../run-command.js';

const children: ChildProcess[] = [];
afterEach(() => {
  for (const child of children.splice(0)) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
});

function integrity(dataDir: string, namespace = 'default'): string {
  const db = new Database(path.join(dataDir, 'namespaces', `${namespace}.sqlite`));
  try {
    return db.pragma('integrity_check', { simple: true }) as string;
  } finally {
    db.close();
  }
}

/**
 * Start `node -e script args…` and resolve once `enough(lines)` holds for the lines it
 * printed; then kill it with SIGKILL and resolve with every line printed before the kill.
 */
function killWhen(
  command: { args: string[]; env?: NodeJS.ProcessEnv; detached?: boolean },
  enough: (lines: string[]) => boolean,
): Promise<{ lines: string[]; signal: NodeJS.Signals | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command.args[0] as string, command.args.slice(1), {
      cwd: repoRoot,
      env: childEnv(command.env),
      stdio: ['pipe', 'pipe', 'pipe'],
      detached: command.detached ?? false,
    });
    children.push(child);
    const lines: string[] = [];
    let partial = '';
    let stderr = '';
    let killed = false;
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.stdout.on('data', (chunk: Buffer) => {
      const text = partial + chunk.toString('utf8');
      const parts = text.split('\n');
      partial = parts.pop() as string;
      lines.push(...parts);
      if (!killed && enough(lines)) {
        killed = true;
        // A detached child leads its own process group: kill it and everything it started.
        if (command.detached) process.kill(-(child.pid as number), 'SIGKILL');
        else child.kill('SIGKILL');
      }
    });
    child.on('error', reject);
    child.on('close', (_code, signal) => {
      if (!killed) reject(new Error(`the writer ended by itself before it was killed: ${stderr}`));
      else resolve({ lines, signal, stderr });
    });
  });
}

describe('SIGKILL during writes (local store)', () => {
  it('single puts: every acknowledged key is present, integrity_check = ok', async () => {
    const dataDir = tempDir('crash-put');
    // Prints each key only after its put resolved: a printed key is an acknowledged write.
    const script = `
      import { KV } from './dist/lib/kv.js';
      import { LocalBackend } from './dist/lib/backends/local.js';
      const kv = new KV('default', { backend: new LocalBackend({ dataDir: process.argv[1] }) });
      const big = 'x'.repeat(64 * 1024);
      for (let i = 0; ; i++) {
        await kv.put('k' + i, i % 10 === 0 ? big + i : 'v' + i, { metadata: { i } });
        process.stdout.write('k' + i + '\\n');
      }
    `;
    const { lines, signal } = await killWhen(
      { args: [process.execPath, '--input-type=module', '-e', script, dataDir] },
      (acked) => acked.length >= 300,
    );
    expect(signal).toBe('SIGKILL');
    expect(lines.length).toBeGreaterThanOrEqual(300);

    expect(integrity(dataDir)).toBe('ok');
    const backend = new LocalBackend({ dataDir });
    const kv = new KV('default', { backend });
    for (const key of lines) {
      const i = Number(key.slice(1));
      expect(await kv.getWithMetadata(key)).toEqual({ value: i % 10 === 0 ? 'x'.repeat(64 * 1024) + i : `v${i}`, metadata: { i } });
    }
    // Whatever was in flight is either fully there or absent, never torn.
    const next = `k${lines.length}`;
    const inFlight = await kv.get(next);
    expect([null, lines.length % 10 === 0 ? 'x'.repeat(64 * 1024) + lines.length : `v${lines.length}`]).toContain(inFlight);
    await kv.put('after-crash', 'ok');
    expect(await kv.get('after-crash')).toBe('ok');
    await backend.close();
  });

  it('a bulk batch killed before its commit leaves none of its rows; committed batches are whole', async () => {
    const dataDir = tempDir('crash-batch');
    // Each batch writes 500 rows in one transaction; after batch 5's first half the writer
    // says "mid 5" and waits (stdin never answers), so the kill lands inside that batch.
    const script = `
      import { LocalBackend } from './dist/lib/backends/local.js';
      const backend = new LocalBackend({ dataDir: process.argv[1] });
      const rows = (batch, from, to) => Array.from({ length: to - from }, (_, i) => ({
        key: 'b' + batch + '-' + String(from + i).padStart(3, '0'), value: Buffer.alloc(512, batch), expiration: null, metadata: null }));
      for (let batch = 0; ; batch++) {
        const writer = await backend.bulkWriter('default');
        await writer.write(rows(batch, 0, 250));
        if (batch === 5) {
          process.stdout.write('mid ' + batch + '\\n');
          await new Promise(() => setInterval(() => {}, 1000));
        }
        await writer.write(rows(batch, 250, 500));
        await writer.commit();
        process.stdout.write('batch ' + batch + '\\n');
      }
    `;
    const { lines } = await killWhen({ args: [process.execPath, '--input-type=module', '-e', script, dataDir] }, (out) =>
      out.includes('mid 5'),
    );
    expect(lines).toEqual(['batch 0', 'batch 1', 'batch 2', 'batch 3', 'batch 4', 'mid 5']);

    expect(integrity(dataDir)).toBe('ok');
    const backend = new LocalBackend({ dataDir });
    const kv = new KV('default', { backend });
    const counts = new Map<string, number>();
    for await (const page of kv.listAll()) {
      for (const { name } of page) {
        const batch = name.split('-')[0] as string;
        counts.set(batch, (counts.get(batch) ?? 0) + 1);
      }
    }
    expect(Object.fromEntries(counts)).toEqual({ b0: 500, b1: 500, b2: 500, b3: 500, b4: 500 });
    await backend.close();
  });

  it('a shell loop of `kvadm kv put` killed mid-run: every acknowledged put is there', async () => {
    const dataDir = tempDir('crash-cli');
    const loop = `i=0; while :; do i=$((i+1)); "${process.execPath}" "${binPath}" kv put "key $i" "value $i" && echo "key $i"; done`;
    const { lines } = await killWhen(
      { args: ['/bin/sh', '-c', loop], env: { KVADM_DATA_DIR: dataDir }, detached: true },
      (acked) => acked.length >= 4,
    );
    expect(lines.length).toBeGreaterThanOrEqual(4);
    expect(integrity(dataDir)).toBe('ok');
    const env = { KVADM_DATA_DIR: dataDir };
    for (const key of lines) expect((await runCommand(['kv', 'get', key], { env })).stdout).toBe(key.replace('key', 'value'));
    const put = await runCommand(['kv', 'put', 'after', 'ok'], { env });
    expect(put.code, put.stderr).toBe(0);
  });

  it('`kvadm kv put` killed while reading a value from stdin writes nothing', async () => {
    const dataDir = tempDir('crash-stdin');
    const env = { KVADM_DATA_DIR: dataDir };
    expect((await runCommand(['kv', 'put', 'before', 'ok'], { env })).code).toBe(0);
    const child = spawn(process.execPath, [binPath, 'kv', 'put', 'partial', '-'], {
      env: childEnv(env),
      stdio: ['pipe', 'ignore', 'ignore'],
    });
    children.push(child);
    // Wait until the child has taken 1 MiB from the pipe (so it is reading), then kill it.
    await new Promise<void>((resolve) => child.stdin.write(Buffer.alloc(1024 * 1024, 7), () => resolve()));
    child.kill('SIGKILL');
    await new Promise((resolve) => child.on('close', resolve));
    expect(integrity(dataDir)).toBe('ok');
    expect((await runCommand(['kv', 'get', 'partial'], { env })).code).toBe(3);
    expect((await runCommand(['kv', 'get', 'before'], { env })).stdout).toBe('ok');
  });
});
