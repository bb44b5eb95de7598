/**
 * oclif.manifest.json as the start-up code reads it: which command the words of argv
 * name, and what each command declares (flags, arguments). `oclif manifest` writes the
 * file at build time from the command classes, so it is the one description of the
 * command line; nothing here repeats a command's flags.
 */
import fs from 'node:fs';

export interface ManifestFlag {
  name: string;
  type: 'boolean' | 'option';
  char?: string;
  options?: string[];
  multiple?: boolean;
  exclusive?: string[];
  default?: unknown;
  required?: boolean;
  helpGroup?: string;
  allowNo?: boolean;
  // What oclif can also declare; the dispatcher declines commands that use any of these.
  aliases?: string[];
  charAliases?: string[];
  dependsOn?: string[];
  exactlyOne?: string[];
  relationships?: unknown[];
  env?: string;
  delimiter?: string;
  deprecated?: unknown;
  deprecateAliases?: boolean;
  noCacheDefault?: boolean;
  hasDynamicHelp?: boolean;
  allowStdin?: unknown;
}

export interface ManifestArg {
  name: string;
  required?: boolean;
  options?: string[];
  default?: unknown;
  multiple?: boolean;
}

export interface ManifestCommand {
  id: string;
  strict?: boolean;
  enableJsonFlag?: boolean;
  flags: Record<string, ManifestFlag>;
  args: Record<string, ManifestArg>;
  aliases?: string[];
}

export interface Manifest {
  commands: Record<string, ManifestCommand>;
}

const MANIFEST_URL = new URL('../../oclif.manifest.json', import.meta.url);

/** The manifest, or undefined when there is none (a checkout not built yet): oclif then does everything. */
export function readManifest(url: URL = MANIFEST_URL): Manifest | undefined {
  try {
    return JSON.parse(fs.readFileSync(url, 'utf8')) as Manifest;
  } catch {
    return undefined;
  }
}

export interface CommandMatch {
  command: ManifestCommand;
  /** How many leading words of argv name the command (`kv get` → 2). */
  words: number;
}

/**
 * The command the leading words of argv name, as oclif reads them with a space as topic
 * separator: words are joined while they form a topic (`kv`) until they form a command
 * (`kv:get`); the remaining words are its arguments.
 */
export function findCommand(manifest: Manifest, argv: readonly string[]): CommandMatch | undefined {
  let id = '';
  for (let i = 0; i < argv.length; i++) {
    const word = argv[i] as string;
    if (word.startsWith('-')) return undefined;
    id = id ? `${id}:${word}` : word;
    const command = manifest.commands[id];
    if (command) return { command, words: i + 1 };
    if (!isTopic(manifest, id)) return undefined;
  }
  return undefined;
}

function isTopic(manifest: Manifest, id: string): boolean {
  return Object.keys(manifest.commands).some((commandId) => commandId.startsWith(`${id}:`));
}

/**
 * `kvadm --profile prod kv list` → `kvadm kv list --profile prod`. oclif only reads flags
 * after the command's name, so global flags written first (the habit of git, docker,
 * kubectl) are moved behind it, for both the fast path and oclif. Only flags the named
 * command declares in its GLOBAL help group move; anything else (--help, --version, an
 * unknown flag) leaves argv as it is, for oclif to answer.
 */
export function hoistGlobalFlags(manifest: Manifest, argv: readonly string[]): string[] {
  const leading: string[] = [];
  let i = 0;
  const globals = globalFlags(manifest);
  while (i < argv.length && (argv[i] as string).startsWith('-')) {
    const arg = argv[i] as string;
    const flag = lookUpFlag(globals, arg);
    if (!flag) return [...argv];
    const takesValue = flag.type === 'option' && !arg.includes('=');
    if (takesValue && i + 1 >= argv.length) return [...argv];
    leading.push(...argv.slice(i, takesValue ? i + 2 : i + 1));
    i += takesValue ? 2 : 1;
  }
  if (leading.length === 0) return [...argv];
  const rest = argv.slice(i);
  const match = findCommand(manifest, rest);
  if (!match) return [...argv];
  for (const arg of leading) {
    if (arg.startsWith('-') && !lookUpFlag(Object.values(match.command.flags), arg)) return [...argv];
  }
  return [...rest.slice(0, match.words), ...leading, ...rest.slice(match.words)];
}

/** Flags in the GLOBAL help group of any command (BaseCommand's base flags and --json). */
function globalFlags(manifest: Manifest): ManifestFlag[] {
  const byName = new Map<string, ManifestFlag>();
  for (const command of Object.values(manifest.commands)) {
    for (const flag of Object.values(command.flags)) {
      if (flag.helpGroup === 'GLOBAL') byName.set(flag.name, flag);
    }
  }
  return [...byName.values()];
}

/** The flag `--name`, `--name=value` or `-c` refers to. */
function lookUpFlag(flags: ManifestFlag[], arg: string): ManifestFlag | undefined {
  if (arg.startsWith('--')) {
    const name = arg.slice(2).split('=', 1)[0];
    return flags.find((flag) => flag.name === name);
  }
  if (arg.length === 2) return flags.find((flag) => flag.char === arg[1]);
  return undefined;
}
