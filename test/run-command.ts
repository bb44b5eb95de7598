/**
 * Running a kvadm command in the test's own process as bin/run.js runs it with
 * KVADM_NO_FAST_PATH=1: global flags hoisted behind the command, then oclif (runCommand); or
 * as it runs it by default, the fast path first (runFastPath, which
 * test/integration/fast-path*.test.ts compares with runCommand). It returns what the binary
 * would: the exit code, stdout as bytes and text, stderr.
 *
 * Why not `runCommand` from @oclif/test: it joins the arguments with spaces and splits
 * them again (a value "hello world" becomes two arguments), it keeps output as text (values
 * are bytes), and its stdout mock never calls a `write(data, callback)` callback, which
 * kvadm's writeStdout waits for. The exit code is mapped as bin/run.js maps it: oclif's
 * `execute` exits with the thrown error's `oclif.exit` (BaseCommand.catch turns every error
 * into one through src/cli/report-error.ts), else with process.exitCode, else 0.
 *
 * Commands share one process here, so runs are queued: `Promise.all` of several runs is
 * fine, they simply take turns. Each run gets its own environment (`env` on top of the
 * test's), its own working folder (`cwd`), its own stdin (`input`, or an empty stream), a non-terminal stdout and stderr,
 * and NODE_ENV unset as a child's (see childEnv in helpers.ts).
 */
import path from 'node:path';
import { Readable } from 'node:stream';
import { pathToFileURL } from 'node:url';
import { format } from 'node:util';
import { Config, run } from '@oclif/core';
import type { CliOptions, CliResult } from './helpers.js';
import { repoRoot } from './helpers.js';

/** bin/run.js's first steps: global flags written before the command move behind it; the fast path. */
interface StartUp {
  hoist(argv: string[]): string[];
  /** src/cli/dispatch.ts on the manifest: an exit code, or undefined when it declines to oclif. */
  dispatch(argv: string[]): Promise<number | undefined>;
}

let config: Promise<Config> | undefined;
let startUp: Promise<StartUp> | undefined;

/**
 * A loaded oclif Config, shared between runs (loading one costs about 50 ms). Showing help
 * changes the Config it is given (later command ids then fail to resolve), so a run that may
 * show help or the version gets a Config of its own.
 */
function configFor(args: string[]): Promise<Config> {
  // userPlugins: false as in bin/run.js (oclif would read KVADM_DATA_DIR/package.json).
  const load = () => Config.load({ root: repoRoot, userPlugins: false });
  const mayShowHelp = args.length === 0 || args.some((arg) => ['--help', '-h', 'help', '--version', 'version'].includes(arg));
  if (mayShowHelp) return load();
  config ??= load();
  return config;
}

async function loadStartUp(): Promise<StartUp> {
  // The built module, as bin/run.js loads it (src/cli/manifest.ts compiled).
  const url = pathToFileURL(path.join(repoRoot, 'dist', 'cli', 'manifest.js')).href;
  const { readManifest, hoistGlobalFlags } = (await import(url)) as {
    readManifest(): unknown;
    hoistGlobalFlags(manifest: unknown, argv: string[]): string[];
  };
  const manifest = readManifest();
  const dispatchUrl = pathToFileURL(path.join(repoRoot, 'dist', 'cli', 'dispatch.js')).href;
  const { dispatch } = (await import(dispatchUrl)) as { dispatch(manifest: unknown, argv: string[]): Promise<number | undefined> };
  return {
    hoist: (argv) => (manifest ? hoistGlobalFlags(manifest, argv) : argv),
    dispatch: async (argv) => (manifest ? dispatch(manifest, argv) : undefined),
  };
}
let queue: Promise<unknown> = Promise.resolve();

/** kvadm `args` in this process through oclif (KVADM_NO_FAST_PATH=1); resolves like runCli (helpers.ts). */
export function runCommand(args: string[], options: Omit<CliOptions, 'timeoutMs'> = {}): Promise<CliResult> {
  return queued(args, options, false);
}

/**
 * kvadm `args` in this process as bin/run.js runs them by default: the fast path
 * (src/cli/dispatch.ts), and oclif for what it declines. What only the binary does (its
 * process.exit) is left to the tests that spawn it.
 */
export function runFastPath(args: string[], options: Omit<CliOptions, 'timeoutMs'> = {}): Promise<CliResult> {
  return queued(args, options, true);
}

function queued(args: string[], options: Omit<CliOptions, 'timeoutMs'>, fastPath: boolean): Promise<CliResult> {
  const turn = queue.then(() => runNow(args, options, fastPath));
  queue = turn.catch(() => undefined);
  return turn;
}

async function runNow(args: string[], options: Omit<CliOptions, 'timeoutMs'>, fastPath: boolean): Promise<CliResult> {
  const restoreEnv = applyEnv(options.env ?? {});
  const cwdBefore = process.cwd();
  if (options.cwd !== undefined) process.chdir(options.cwd);
  const restoreStdin = replaceStdin(options.input);
  const restoreTty = [notTerminal(process.stdout), notTerminal(process.stderr)];
  const stdout = capture(process.stdout);
  const stderr = capture(process.stderr);
  const restoreConsole = consoleToStreams();
  const exitCodeBefore = process.exitCode;
  process.exitCode = undefined;
  let code = 0;
  try {
    startUp ??= loadStartUp();
    const { hoist, dispatch } = await startUp;
    const argv = hoist(args);
    const fastCode = fastPath ? await dispatch(argv) : undefined;
    if (fastCode !== undefined) code = fastCode;
    else {
      await run(argv, await configFor(args));
      code = typeof process.exitCode === 'number' ? process.exitCode : 0;
    }
  } catch (error) {
    const exit = (error as { oclif?: { exit?: unknown } }).oclif?.exit;
    if (typeof exit === 'number') {
      code = exit;
    } else {
      // Not through kvadm's exit policy: the binary would print oclif's message and exit 1.
      stderr.chunks.push(Buffer.from(`${(error as Error).stack ?? String(error)}\n`));
      code = 1;
    }
  } finally {
    restoreConsole();
    stdout.restore();
    stderr.restore();
    for (const restore of restoreTty) restore();
    restoreStdin();
    restoreEnv();
    process.chdir(cwdBefore);
    process.exitCode = exitCodeBefore;
  }
  const stdoutBytes = Buffer.concat(stdout.chunks);
  return { code, stdout: stdoutBytes.toString('utf8'), stderr: Buffer.concat(stderr.chunks).toString('utf8'), stdoutBytes };
}

/** Set `env` over process.env (undefined deletes), NODE_ENV unset; returns the undo. */
function applyEnv(env: NodeJS.ProcessEnv): () => void {
  const saved = { ...process.env };
  delete process.env.NODE_ENV;
  for (const [name, value] of Object.entries(env)) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
  return () => {
    for (const name of Object.keys(process.env)) if (!(name in saved)) delete process.env[name];
    Object.assign(process.env, saved);
  };
}

/** process.stdin becomes `input` (then end of file), or an empty stream. */
function replaceStdin(input: string | Uint8Array | undefined): () => void {
  const descriptor = Object.getOwnPropertyDescriptor(process, 'stdin');
  const stream = Readable.from(input === undefined ? [] : [Buffer.from(input)]) as Readable & { isTTY?: boolean };
  stream.isTTY = false;
  Object.defineProperty(process, 'stdin', { value: stream, configurable: true, writable: true });
  return () => {
    if (descriptor) Object.defineProperty(process, 'stdin', descriptor);
    stream.destroy();
  };
}

/** The stream reports itself as not a terminal, as a child's piped stdout does. */
function notTerminal(stream: NodeJS.WriteStream): () => void {
  const descriptor = Object.getOwnPropertyDescriptor(stream, 'isTTY');
  Object.defineProperty(stream, 'isTTY', { value: false, configurable: true, writable: true });
  return () => {
    if (descriptor) Object.defineProperty(stream, 'isTTY', descriptor);
    else delete (stream as { isTTY?: boolean }).isTTY;
  };
}

/**
 * oclif prints help, --version and --json results with console.log, which vitest takes over;
 * in a child process console.log writes to stdout and console.error/warn to stderr.
 */
function consoleToStreams(): () => void {
  const saved = { log: console.log, info: console.info, error: console.error, warn: console.warn };
  console.log = console.info = (...args: unknown[]) => void process.stdout.write(`${format(...args)}\n`);
  console.error = console.warn = (...args: unknown[]) => void process.stderr.write(`${format(...args)}\n`);
  return () => Object.assign(console, saved);
}

/** Keep what is written to `stream` (as bytes), calling write callbacks as a pipe would. */
function capture(stream: NodeJS.WriteStream): { chunks: Buffer[]; restore(): void } {
  const chunks: Buffer[] = [];
  const original = stream.write;
  stream.write = ((
    chunk: string | Uint8Array,
    encoding?: BufferEncoding | ((error?: Error | null) => void),
    callback?: (error?: Error | null) => void,
  ) => {
    const done = typeof encoding === 'function' ? encoding : callback;
    chunks.push(typeof chunk === 'string' ? Buffer.from(chunk, typeof encoding === 'string' ? encoding : 'utf8') : Buffer.from(chunk));
    if (done) process.nextTick(done);
    return true;
  }) as typeof stream.write;
  return {
    chunks,
    restore: () => {
      stream.write = original;
    },
  };
}
