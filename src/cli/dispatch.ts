/**
 * The fast path: run a script-called command without loading oclif.
 *
 * Why: loading @oclif/core costs about as much as starting Node, and scripts call
 * `kv get`, `kv put`, `kv list`, `kv delete`, `ns list`, `import`, `export`, `diff`, `sync` and
 * `copy` in loops. bin/run.js hands every invocation here first; the commands in FAST_ACTIONS
 * have their bodies in src/cli/actions, which the oclif command's run() calls too, so both
 * paths run the same code with the same CommandSession.
 *
 * How: the command and its flags come from oclif.manifest.json (written by `oclif manifest`
 * at build time): each flag's type, char, options, multiple, exclusive set and default, the
 * arguments and whether they are required, and the global base flags including --json.
 * argv is parsed with node:util parseArgs from that description, so a flag added to a
 * command is picked up at the next build; no flag is listed here.
 *
 * What it declines (returns undefined, and oclif runs the command as usual and owns every
 * usage message): a command without an action module; help and --version (unknown flags
 * here); unknown, repeated or grouped flags; `-xVALUE`; `--`; a value that starts with "-"
 * (oclif may read it as a flag); `--no-…`; a value outside a flag's options; exclusive
 * flags together, or a flag without the flags it depends on; a missing required argument or flag; extra arguments to a strict command;
 * --json on a terminal (oclif colours it); KVADM_CONTENT_TYPE (oclif's own --json switch);
 * and any command whose manifest uses something not handled here (aliases, env,
 * exactlyOne, relationships, delimiter, deprecation, dynamic defaults, argument options or
 * defaults, variadic arguments). What the manifest cannot say — a flag's own parse function,
 * a boolean's default — is checked for the fast commands by dispatch.test.ts.
 */
import { parseArgs } from 'node:util';
// The leaf, not term/index.js: this file is on the fast path, which loads no module it does not use (see term/index.ts).
import { writeStdout } from '../lib/term/output.js';
import { CommandSession } from './command-session.js';
import { type Manifest, type ManifestArg, type ManifestCommand, type ManifestFlag, findCommand } from './manifest.js';
import { reportError } from './report-error.js';

/** A command body that runs without oclif (src/cli/actions). */
type Action = (session: CommandSession<never>) => Promise<unknown>;

/** The commands with an action module, by manifest id: which commands, never their flags. */
const FAST_ACTIONS: Record<string, () => Promise<{ action: Action }>> = {
  'kv:get': () => import('./actions/kv-get.js') as Promise<{ action: Action }>,
  'kv:put': () => import('./actions/kv-put.js') as Promise<{ action: Action }>,
  'kv:list': () => import('./actions/kv-list.js') as Promise<{ action: Action }>,
  'kv:delete': () => import('./actions/kv-delete.js') as Promise<{ action: Action }>,
  'ns:list': () => import('./actions/ns-list.js') as Promise<{ action: Action }>,
  import: () => import('./actions/import.js') as Promise<{ action: Action }>,
  export: () => import('./actions/export.js') as Promise<{ action: Action }>,
  diff: () => import('./actions/diff.js') as Promise<{ action: Action }>,
  sync: () => import('./actions/sync.js') as Promise<{ action: Action }>,
  copy: () => import('./actions/copy.js') as Promise<{ action: Action }>,
};

export const FAST_COMMAND_IDS = Object.keys(FAST_ACTIONS);

let stdoutErrorsHandled = false;

export interface Invocation {
  flags: Record<string, unknown>;
  args: Record<string, string>;
  argv: string[];
  json: boolean;
}

/** Run argv on the fast path: the exit code, or undefined when oclif should handle it. */
export async function dispatch(manifest: Manifest, argv: string[], env: NodeJS.ProcessEnv = process.env): Promise<number | undefined> {
  if (env.KVADM_CONTENT_TYPE !== undefined) return undefined;
  const match = findCommand(manifest, argv);
  const loadAction = match && FAST_ACTIONS[match.command.id];
  if (!match || !loadAction) return undefined;
  const invocation = parseInvocation(match.command, argv.slice(match.words));
  if (!invocation || (invocation.json && process.stdout.isTTY)) return undefined;

  const { action } = await loadAction();
  // A failed write reaches the action through the write callback (EPIPE → exit 0 in
  // reportError); the stream's own 'error' event must not crash the process as unhandled.
  // Once per process: a program that dispatches many times (the tests) adds no more listeners.
  if (!stdoutErrorsHandled) {
    process.stdout.on('error', () => undefined);
    stdoutErrorsHandled = true;
  }
  const session = new CommandSession<never>(invocation as never);
  try {
    const result = await action(session);
    // oclif prints a --json result as two-space JSON (colours only on a terminal, declined above).
    if (invocation.json && result && !session.jsonWritten) await writeStdout(`${JSON.stringify(result, null, 2)}\n`);
    // An answer that is no error may set process.exitCode (diff: 10 when the stores differ);
    // oclif leaves the process to exit with it, and bin/run.js's process.exit would drop it.
    return Number(process.exitCode ?? 0);
  } catch (error) {
    return reportError(error as Error, invocation.json);
  } finally {
    await session.close();
  }
}

/**
 * Flags and arguments exactly as oclif would parse them, or undefined when this
 * invocation is one the fast path declines (see the top of this file).
 */
export function parseInvocation(command: ManifestCommand, argv: string[]): Invocation | undefined {
  const flags = Object.values(command.flags);
  const args = Object.values(command.args);
  if (!flags.every(isPlainFlag) || !args.every(isPlainArg)) return undefined;

  const options: Record<string, { type: 'string' | 'boolean'; short?: string; multiple?: boolean }> = {};
  for (const flag of flags) {
    options[flag.name] = {
      type: flag.type === 'boolean' ? 'boolean' : 'string',
      ...(flag.char ? { short: flag.char } : {}),
      ...(flag.multiple ? { multiple: true } : {}),
    };
  }
  let parsed: ReturnType<typeof parseArgs<{ options: typeof options; tokens: true; allowPositionals: true; strict: true }>>;
  try {
    parsed = parseArgs({ args: argv, options, allowPositionals: true, strict: true, tokens: true });
  } catch {
    return undefined;
  }

  const given = new Set<string>();
  for (const token of parsed.tokens) {
    if (token.kind === 'option-terminator') return undefined;
    if (token.kind !== 'option') continue;
    const flag = command.flags[token.name] as ManifestFlag;
    // `-af` and `-nVALUE`: oclif reads these too, but not always the same way.
    if (token.rawName !== argv[token.index]?.split('=', 1)[0]) return undefined;
    if (token.rawName.length === 2 && token.inlineValue) return undefined;
    if (given.has(token.name) && !flag.multiple) return undefined;
    given.add(token.name);
    if (token.value !== undefined) {
      if (token.value.startsWith('-')) return undefined;
      if (flag.options && !flag.options.includes(token.value)) return undefined;
    }
  }
  for (const name of given) {
    if (command.flags[name]?.exclusive?.some((other) => given.has(other))) return undefined;
    // dependsOn: every flag named must be given too (oclif words the error when one is not).
    if (command.flags[name]?.dependsOn?.some((other) => !given.has(other))) return undefined;
  }
  if (flags.some((flag) => flag.required && !given.has(flag.name))) return undefined;

  const positionals = parsed.positionals;
  const strict = command.strict !== false;
  if (strict && positionals.length > args.length) return undefined;
  const argValues: Record<string, string> = {};
  for (const [i, arg] of args.entries()) {
    const value = positionals[i];
    if (value === undefined) {
      if (arg.required) return undefined;
    } else {
      argValues[arg.name] = value;
    }
  }

  const flagValues: Record<string, unknown> = {};
  for (const flag of flags) {
    const value = parsed.values[flag.name];
    if (value !== undefined) flagValues[flag.name] = value;
    else if (flag.type === 'option' && flag.default !== undefined) flagValues[flag.name] = flag.default;
  }
  return { flags: flagValues, args: argValues, argv: positionals, json: command.enableJsonFlag === true && given.has('json') };
}

/** A flag using only what parseInvocation reproduces. */
function isPlainFlag(flag: ManifestFlag): boolean {
  return (
    !flag.aliases?.length &&
    !flag.charAliases?.length &&
    !flag.exactlyOne?.length &&
    !flag.relationships?.length &&
    flag.env === undefined &&
    flag.delimiter === undefined &&
    !flag.deprecated &&
    !flag.deprecateAliases &&
    !flag.noCacheDefault &&
    !flag.hasDynamicHelp &&
    !flag.allowStdin
  );
}

function isPlainArg(arg: ManifestArg): boolean {
  return arg.options === undefined && arg.default === undefined && !arg.multiple;
}
