/**
 * Where input comes from, through the real binary: stdin only when asked for ("-"),
 * endless or unsized inputs stopped at the value limit, data folders that cannot hold a
 * store, values with a byte-order mark shown exactly, and expirations in import files.
 */
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Backend } from '../../src/lib/backends/backend.js';
import { LocalBackend } from '../../src/lib/backends/local.js';
import { KV } from '../../src/lib/kv.js';
import { forEachBackend } from '../backends.js';
import { type CliResult, binPath, childEnv, runCli, tempDir } from '../helpers.js';
import { runCommand } from '../run-command.js';

const LIMIT = 26_214_400;

/** Run a shell command line (for pipes and loops a user would type); `kvadm` is the binary. */
function runShell(script: string, env: NodeJS.ProcessEnv): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn('sh', ['-c', script], {
      env: childEnv({ ...env, KVADM: `${process.execPath} ${binPath}` }),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => err.push(chunk));
    child.on('error', reject);
    child.on('close', (code) => {
      const stdoutBytes = Buffer.concat(out);
      resolve({ code: code ?? 1, stdout: stdoutBytes.toString('utf8'), stderr: Buffer.concat(err).toString('utf8'), stdoutBytes });
    });
  });
}

async function storedKeys(dataDir: string): Promise<string[]> {
  const backend = new LocalBackend({ dataDir });
  try {
    return (await new KV('default', { backend }).list()).keys.map((k) => k.name);
  } finally {
    await backend.close();
  }
}

describe('kv put reads stdin only when asked with "-"', () => {
  it('a missing VALUE exits 2 naming the fix, and stores nothing even with stdin at end of file', async () => {
    const dataDir = tempDir('novalue');
    const result = await runCommand(['kv', 'put', 'z'], { env: { KVADM_DATA_DIR: dataDir } });
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain('missing the value of key "z": give VALUE, --file PATH, or "-" to read stdin');
    expect(await storedKeys(dataDir)).toEqual([]);
  });

  it('in a `while read` loop an unset VALUE fails each put instead of swallowing the loop input', async () => {
    const dataDir = tempDir('loop');
    const loop = await runShell(
      `printf 'a\\nb\\nc\\n' | while read k; do $KVADM kv put "$k" $UNSET 2>/dev/null || echo "refused $k"; done`,
      { KVADM_DATA_DIR: dataDir },
    );
    expect(loop.stdout).toBe('refused a\nrefused b\nrefused c\n');
    expect(await storedKeys(dataDir)).toEqual([]);
  });

  it('VALUE and --file together are refused (exit 2)', async () => {
    const file = path.join(tempDir('both'), 'v.txt');
    fs.writeFileSync(file, 'from file');
    const result = await runCommand(['kv', 'put', 'k', 'arg', '--file', file], { env: { KVADM_DATA_DIR: tempDir('both-store') } });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('either as VALUE or with --file, not both');
  });
});

describe('endless and unsized inputs stop at 25 MiB + 1 byte', () => {
  const refusedAtLimit = (result: CliResult, source: string) => {
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain(
      `key "f": Value length of more than ${LIMIT} exceeds limit of ${LIMIT} (stopped reading ${source} there).`,
    );
  };

  it('--file /dev/zero is refused with the limit message and nothing is stored', async () => {
    const dataDir = tempDir('devzero');
    refusedAtLimit(await runCommand(['kv', 'put', 'f', '--file', '/dev/zero'], { env: { KVADM_DATA_DIR: dataDir } }), '--file /dev/zero');
    expect(await storedKeys(dataDir)).toEqual([]);
  });

  it('an endless pipe into `kv put f -` is refused with the limit message', async () => {
    const dataDir = tempDir('endless');
    const result = await runShell('cat /dev/zero | $KVADM kv put f -', { KVADM_DATA_DIR: dataDir });
    refusedAtLimit(result, 'stdin');
    expect(await storedKeys(dataDir)).toEqual([]);
  });

  it('an endless pipe into `config set token -` is refused the same way, and nothing is stored', async () => {
    const configDir = tempDir('endless-config');
    const result = await runShell('cat /dev/zero | $KVADM config set token -', { KVADM_CONFIG_DIR: configDir });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`Value length of more than ${LIMIT} exceeds limit of ${LIMIT} (stopped reading stdin there).`);
    expect(fs.readdirSync(configDir)).toEqual([]);
  });

  it('a FIFO given to --file is read to its end, and an endless writer is cut at the limit', async () => {
    const dir = tempDir('fifo');
    const env = { KVADM_DATA_DIR: path.join(dir, 'store') };
    const fifo = path.join(dir, 'value.fifo');
    execFileSync('mkfifo', [fifo]);

    const put = runCli(['kv', 'put', 'small', '--file', fifo], { env });
    // Opening a FIFO for writing waits for the reader: kvadm.
    await fs.promises.writeFile(fifo, 'through a fifo\n');
    expect((await put).code).toBe(0);
    expect((await runCommand(['kv', 'get', 'small'], { env })).stdout).toBe('through a fifo\n');

    const endless = runCli(['kv', 'put', 'f', '--file', fifo], { env });
    const writer = fs.createWriteStream(fifo);
    const zeros = Buffer.alloc(1 << 20);
    let readerGone = false;
    writer.on('error', () => {
      readerGone = true;
    });
    const writeUntilClosed = async () => {
      while (!readerGone && !writer.destroyed) {
        if (!writer.write(zeros)) {
          // Whichever comes first; the other listener goes too (left behind, they piled up on the stream).
          await new Promise<void>((resolve) => {
            const done = () => {
              writer.off('drain', done).off('close', done);
              resolve();
            };
            writer.once('drain', done).once('close', done);
          });
        }
      }
    };
    void writeUntilClosed();
    refusedAtLimit(await endless, `--file ${fifo}`);
    writer.destroy();
    expect((await runCommand(['kv', 'list'], { env })).stdout).toBe('small\n');
  });
});

describe('a data folder that cannot hold the store is refused at once (exit 2, one line naming it)', () => {
  const firstLine = (result: CliResult) => result.stderr.split('\n').find((line) => line.startsWith('kvadm: error:'));

  it('KVADM_DATA_DIR, --data-dir and a profile data-dir that is a file', async () => {
    const dir = tempDir('datadir-file');
    const file = path.join(dir, 'not-a-folder');
    fs.writeFileSync(file, 'x');
    const expected = `kvadm: error: cannot use the data folder ${file}: it is a file, not a folder`;

    const fromEnv = await runCommand(['kv', 'put', '-n', 't', 'k', 'v'], { env: { KVADM_DATA_DIR: file } });
    expect(fromEnv.code).toBe(2);
    expect(firstLine(fromEnv)).toBe(expected);
    expect(fromEnv.stderr).not.toContain('not found');

    const fromFlag = await runCommand(['kv', 'get', 'k', '--data-dir', file], { env: { KVADM_DATA_DIR: path.join(dir, 'unused') } });
    expect(fromFlag.code).toBe(2);
    expect(firstLine(fromFlag)).toBe(expected);

    const configDir = path.join(dir, 'config');
    const profileEnv = { KVADM_DATA_DIR: '', KVADM_CONFIG_DIR: configDir };
    expect((await runCommand(['config', 'set', 'data-dir', file], { env: profileEnv })).code).toBe(0);
    const fromProfile = await runCommand(['ns', 'create', 'users'], { env: profileEnv });
    expect(fromProfile.code).toBe(2);
    expect(firstLine(fromProfile)).toBe(expected);
  });

  it('a folder under /proc fails at once instead of spinning in mkdir', async () => {
    if (!fs.existsSync('/proc/self')) return;
    const result = await runCommand(['kv', 'put', 'k', 'v', '--data-dir', '/proc/kvadm-nope']);
    expect(result.code).toBe(2);
    expect(firstLine(result)).toBe('kvadm: error: cannot use the data folder /proc/kvadm-nope: cannot create /proc/kvadm-nope (ENOENT)');
  });
});

// The mark is kept by the client's commands; the emulator's target is the http backend again, and
// its server keeps a leading BOM byte for byte in kv-library.test.ts.
forEachBackend(
  'values with a UTF-8 byte-order mark',
  (target) => {
    let backend: Backend;
    beforeAll(async () => {
      backend = await target.createBackend();
      await KV.create('bom', { backend });
    });
    afterAll(async () => {
      await backend.close();
    });

    it('keep the mark in kv get, --type text, --with-metadata, --json and export', async () => {
      const bytes = Buffer.from([0xef, 0xbb, 0xbf, 0x61]);
      const kv = (args: string[], input?: Uint8Array) =>
        runCommand([...args, '-n', 'bom'], { env: target.env(), ...(input === undefined ? {} : { input }) });
      expect((await kv(['kv', 'put', 'marked', '-'], bytes)).code).toBe(0);
      expect((await kv(['kv', 'get', 'marked'])).stdoutBytes.equals(bytes)).toBe(true);
      expect((await kv(['kv', 'get', 'marked', '--type', 'text'])).stdoutBytes.equals(bytes)).toBe(true);
      const withMetadata = await kv(['kv', 'get', 'marked', '--with-metadata']);
      expect(JSON.parse(withMetadata.stdout)).toEqual({ key: 'marked', value: '\uFEFFa', metadata: null, expiration: null });
      expect(JSON.parse((await kv(['kv', 'get', 'marked', '--json'])).stdout)).toMatchObject({ value: '\uFEFFa' });
      const exported = await kv(['export', '--format', 'jsonl']);
      expect(JSON.parse(exported.stdout)).toMatchObject({ key: 'marked', value: '\uFEFFa' });
      expect(await new KV('bom', { backend }).get('marked', 'text')).toBe('\uFEFFa');
    });
  },
  { only: ['local', 'http'] },
);

describe('expirations in import files', () => {
  it('ISO-8601 with a zone is read as kv put --expiration reads it; fractions, words and zone-less times are named', async () => {
    const dir = tempDir('import-expiration');
    const env = { KVADM_DATA_DIR: path.join(dir, 'store') };
    const future = new Date(Date.now() + 86_400_000);
    const isoSeconds = Math.floor(future.getTime() / 1000);
    const iso = new Date(isoSeconds * 1000).toISOString().replace('.000Z', 'Z');

    const good = path.join(dir, 'good.json');
    fs.writeFileSync(good, JSON.stringify([{ key: 'iso', value: 'v', expiration: iso }]));
    const imported = await runCommand(['import', good], { env });
    expect(imported.code, imported.stderr).toBe(0);
    expect(JSON.parse((await runCommand(['kv', 'get', 'iso', '--json'], { env })).stdout)).toMatchObject({ expiration: isoSeconds });

    const csv = path.join(dir, 'bad.csv');
    fs.writeFileSync(csv, `key,value,expiration,expiration_ttl\na,v,,90.5\nb,v,,x\nc,v,${iso.slice(0, -1)},\n`);
    const refused = await runCommand(['import', csv], { env });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('Invalid expiration_ttl of "90.5". Expiration TTL must be a whole number of seconds.');
    expect(refused.stderr).toContain('Invalid expiration_ttl of "x". Expiration TTL must be a whole number of seconds.');
    expect(refused.stderr).toContain(`expiration "${iso.slice(0, -1)}" has no time zone: add Z for UTC or an offset such as +02:00`);
    expect(refused.stderr).not.toContain('at least 60');
    expect((await runCommand(['kv', 'list'], { env })).stdout).toBe('iso\n');
  });
});
