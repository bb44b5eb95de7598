// Interrupted and partial bulk jobs, through the real binary: a server that dies part-way
// through a remote import, Ctrl-C (or SIGTERM) during an import that created its namespace
// and during an export to a file. Every trigger is an event, never a sleep: the server's
// access-log line for the first acknowledged bulk request, the import opening its FIFO, the
// export's first page request reaching a proxy that holds it.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { binPath, childEnv, repoRoot, tempDir } from '../helpers.js';
import { runCommand } from '../run-command.js';
import { type ServeProcess, startServe } from '../serve-process.js';

interface Running {
  child: ChildProcess;
  done: Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>;
}

function startCli(args: string[], env: NodeJS.ProcessEnv): Running {
  const child = spawn(process.execPath, [binPath, ...args], { cwd: repoRoot, env: childEnv(env), stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  const done = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>((resolve) =>
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr })),
  );
  return { child, done };
}

/** Resolves once `pattern` appears in what `stream` has printed. */
function waitFor(stream: NodeJS.ReadableStream, pattern: RegExp): Promise<void> {
  return new Promise((resolve) => {
    let seen = '';
    const onData = (chunk: Buffer) => {
      seen += chunk.toString('utf8');
      if (pattern.test(seen)) {
        stream.off('data', onData);
        resolve();
      }
    };
    stream.on('data', onData);
  });
}

function writeEntries(file: string, count: number): void {
  const lines: string[] = [];
  for (let i = 0; i < count; i++) lines.push(JSON.stringify({ key: `k${String(i).padStart(7, '0')}`, value: `value ${i}` }));
  fs.writeFileSync(file, `${lines.join('\n')}\n`);
}

const servers: ServeProcess[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) await server.stop('SIGKILL');
});

describe('a remote import whose server dies part-way', () => {
  const ENTRIES = 100_000;

  /**
   * Import ENTRIES entries and SIGKILL the server as soon as it has acknowledged its first bulk
   * request. `serverArgs` may take the server's bulk sessions away (the import then writes as it goes).
   */
  async function importAndKill(extraArgs: string[], serverArgs: string[] = []) {
    const dir = tempDir('import-dies');
    const file = path.join(dir, 'data.jsonl');
    writeEntries(file, ENTRIES);
    // Not --quiet: the access log tells when a bulk write was answered.
    const server = await startServe(['--no-write-limit', ...serverArgs]);
    servers.push(server);
    const firstAck = waitFor(server.child.stderr as NodeJS.ReadableStream, /PUT \S+\/bulk 200 /);
    // One retry: the server stays dead, so more retries only add their back-off to the run.
    const env = { KVADM_BACKEND: 'http', KVADM_URL: server.url, KVADM_CONFIG_DIR: path.join(dir, 'config'), KVADM_HTTP_RETRIES: '1' };
    const run = startCli(['import', file, '-n', 'dies', '--create-namespace', ...extraArgs], env);
    await firstAck;
    await server.stop('SIGKILL');
    return { result: await run.done, server, file, env };
  }

  /** Keys the dead server's store holds, read through the local backend. */
  async function storedKeys(dataDir: string): Promise<number> {
    const info = await runCommand(['ns', 'info', 'dies', '--json', '--data-dir', dataDir, '--backend', 'local']);
    expect(info.code).toBe(0);
    return (JSON.parse(info.stdout) as { keyCount: number }).keyCount;
  }

  /** The same import against the same store, served again, completes. */
  async function rerun(dataDir: string, file: string, env: NodeJS.ProcessEnv): Promise<void> {
    const again = await startServe(['--no-write-limit', '--quiet'], { dataDir });
    servers.push(again);
    const result = await runCommand(['import', file, '-n', 'dies', '--json'], { env: { ...env, KVADM_URL: again.url } });
    expect(result.code, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ entries: ENTRIES, written: ENTRIES, failed: 0 });
    await again.stop();
    expect(await storedKeys(dataDir)).toBe(ENTRIES);
  }

  it('kvadm serve (a staged import): says nothing was written and a re-run is safe (exit 6); the store holds none of it; the re-run completes', async () => {
    const { result, server, file, env } = await importAndKill([]);
    expect(result.code).toBe(6);
    expect(result.stderr).toMatch(
      /the import into 'dies' stopped after [\d,]+ entries and nothing was written \(the server applies a staged import only when it is complete\): cannot reach /,
    );
    expect(result.stderr).toMatch(/hint: once the server is back, run the same import again/);
    expect(result.stderr).not.toMatch(/\n\s+at /);
    expect(await storedKeys(server.dataDir)).toBe(0);
    await rerun(server.dataDir, file, env);
  });

  it('gives the same facts under --json', async () => {
    const { result, server } = await importAndKill(['--json']);
    expect(result.code).toBe(6);
    const error = (JSON.parse(result.stderr.trim().split('\n').at(-1) as string) as { error: Record<string, unknown> }).error;
    expect(error).toMatchObject({ code: 'REMOTE_UNREACHABLE', namespace: 'dies', staged: 'nothing-written', idempotent: true });
    expect(error.message).toMatch(/nothing was written/);
    expect(await storedKeys(server.dataDir)).toBe(0);
  });

  it('a server without bulk sessions: says how many entries it acknowledged (exit 6), all of them are stored, and the re-run completes', async () => {
    const { result, server, file, env } = await importAndKill([], ['--no-bulk-sessions']);
    expect(result.code).toBe(6);
    const match = /the import into 'dies' stopped after the server acknowledged ([\d,]+) of 100,000 entries: cannot reach /.exec(
      result.stderr,
    );
    expect(match, result.stderr).not.toBeNull();
    const acknowledged = Number((match?.[1] ?? '').replace(/,/g, ''));
    expect(acknowledged).toBeLessThan(ENTRIES);
    expect(result.stderr).toMatch(/hint: the acknowledged entries are stored .*run the same import again/);
    // Every acknowledged entry is in the store (some sent but unanswered may be too).
    const stored = await storedKeys(server.dataDir);
    expect(stored).toBeGreaterThanOrEqual(acknowledged);
    expect(stored).toBeLessThan(ENTRIES);
    await rerun(server.dataDir, file, env);
  });
});

describe('Ctrl-C during an import', () => {
  /**
   * Start an import reading a FIFO we hold open (an input that never ends); resolve once it
   * has read our first entries and the namespace file exists (created, or there before).
   */
  async function importFromFifo(args: string[], dataDir: string, namespace: string) {
    const dir = tempDir('import-fifo');
    const fifo = path.join(dir, 'input.jsonl');
    const made = spawnSync('mkfifo', [fifo]);
    if (made.status !== 0) throw new Error(`mkfifo failed: ${made.stderr}`);
    const run = startCli(['import', fifo, '--format', 'jsonl', ...args], { KVADM_DATA_DIR: dataDir });
    // Opening a FIFO for writing waits for its reader: the import has opened its input.
    const writer = fs.createWriteStream(fifo);
    await new Promise((resolve) => writer.once('open', resolve));
    await new Promise((resolve) => writer.write('{"key":"a","value":"1"}\n{"key":"b","value":"2"}\n', resolve));
    const created = path.join(dataDir, 'namespaces', `${namespace}.sqlite`);
    while (!fs.existsSync(created)) await new Promise((resolve) => setTimeout(resolve, 20));
    return { run, writer };
  }

  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    it(`${signal}: removes the namespace --create-namespace made, exit 130`, async () => {
      const dataDir = tempDir('import-sigint');
      const { run, writer } = await importFromFifo(['-n', 'fresh', '--create-namespace'], dataDir, 'fresh');
      run.child.kill(signal);
      const result = await run.done;
      writer.destroy();
      expect(result.code).toBe(130);
      expect(result.stderr).toMatch(/interrupted/);
      const list = await runCommand(['ns', 'list', '--json'], { env: { KVADM_DATA_DIR: dataDir } });
      expect(JSON.parse(list.stdout).namespaces).not.toContain('fresh');
    });
  }

  it('keeps a namespace that existed before, with nothing written', async () => {
    const dataDir = tempDir('import-sigint-existing');
    expect((await runCommand(['ns', 'create', 'kept'], { env: { KVADM_DATA_DIR: dataDir } })).code).toBe(0);
    const { run, writer } = await importFromFifo(['-n', 'kept', '--create-namespace'], dataDir, 'kept');
    run.child.kill('SIGINT');
    const result = await run.done;
    writer.destroy();
    expect(result.code).toBe(130);
    const info = await runCommand(['ns', 'info', 'kept', '--json'], { env: { KVADM_DATA_DIR: dataDir } });
    expect(info.code).toBe(0);
    expect(JSON.parse(info.stdout)).toMatchObject({ keyCount: 0 });
  });
});

describe('Ctrl-C during an export to a file', () => {
  /**
   * A proxy in front of a real `kvadm serve` that forwards the namespace lookup and holds
   * every key listing unanswered: the export has made its temporary file and waits there.
   */
  async function holdingProxy(target: string) {
    let heldNow: () => void = () => undefined;
    const held = new Promise<void>((resolve) => (heldNow = resolve));
    const server = http.createServer((request, response) => {
      if ((request.url ?? '').includes('/keys')) {
        heldNow();
        return;
      }
      const upstream = new URL(request.url ?? '/', target);
      const forward = http.request(upstream, { method: request.method, headers: request.headers }, (answer) => {
        response.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(response);
      });
      request.pipe(forward);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as { port: number };
    return { url: `http://127.0.0.1:${port}/client/v4`, held, close: () => server.closeAllConnections() ?? server.close() };
  }

  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    it(`${signal}: leaves neither the temporary file nor the target, exit 130`, async () => {
      const server = await startServe(['--quiet']);
      servers.push(server);
      const origin = new URL(server.url).origin;
      const proxy = await holdingProxy(origin);
      const dir = tempDir('export-sigint');
      const env = { KVADM_BACKEND: 'http', KVADM_URL: proxy.url, KVADM_CONFIG_DIR: path.join(dir, 'config') };
      expect((await runCommand(['kv', 'put', 'k', 'v'], { env: { ...env, KVADM_URL: server.url } })).code).toBe(0);
      const out = path.join(dir, 'out', 'backup.jsonl');
      fs.mkdirSync(path.dirname(out));
      const run = startCli(['export', out], env);
      await proxy.held;
      // The listing request and the temporary file's creation are not ordered: wait for the file.
      while (fs.readdirSync(path.dirname(out)).length === 0) await new Promise((resolve) => setTimeout(resolve, 20));
      expect(fs.readdirSync(path.dirname(out))).toEqual([expect.stringMatching(/^\.backup\.jsonl\.\d+\.tmp$/)]);
      run.child.kill(signal);
      const result = await run.done;
      proxy.close();
      expect(result.code).toBe(130);
      expect(result.stderr).toMatch(/interrupted/);
      expect(fs.readdirSync(path.dirname(out))).toEqual([]);
    });
  }
});
