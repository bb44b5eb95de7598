/**
 * What every kvadm command shares: the global flags, resolving settings into a backend,
 * and the one exit policy (KvadmError → its exit code and a one-line reason with a hint
 * on stderr; anything else → exit 1, stack only with DEBUG).
 */
import { Command, Errors, Flags, type Interfaces } from '@oclif/core';
import type { Backend } from '../lib/backends/backend.js';
import type { KV } from '../lib/kv.js';
import { BACKEND_KINDS, type ResolvedSettings } from '../lib/config/index.js';
import { CommandSession } from './command-session.js';
import { reportError } from './report-error.js';

export type BaseFlags<T extends typeof Command> = Interfaces.InferredFlags<(typeof BaseCommand)['baseFlags'] & T['flags']>;

export abstract class BaseCommand<T extends typeof Command> extends Command {
  static override enableJsonFlag = true;

  static override baseFlags = {
    namespace: Flags.string({
      char: 'n',
      summary: 'Namespace to work in (default: "default", or KVADM_NAMESPACE).',
      helpGroup: 'GLOBAL',
    }),
    'data-dir': Flags.string({
      summary: 'Folder of the local store (or KVADM_DATA_DIR).',
      helpGroup: 'GLOBAL',
    }),
    backend: Flags.string({
      summary: 'Where data lives: local (SQLite files), http, or azion (or KVADM_BACKEND).',
      options: [...BACKEND_KINDS],
      helpGroup: 'GLOBAL',
    }),
    url: Flags.string({
      summary: 'Base URL of the remote API, e.g. http://127.0.0.1:8787/client/v4 (or KVADM_URL).',
      helpGroup: 'GLOBAL',
    }),
    token: Flags.string({
      summary: 'Bearer token of the remote API (or KVADM_TOKEN).',
      helpGroup: 'GLOBAL',
    }),
    account: Flags.string({
      summary: 'Account id used in remote URLs (or KVADM_ACCOUNT; default "local").',
      helpGroup: 'GLOBAL',
    }),
    profile: Flags.string({
      summary: 'Configuration profile to use (or KVADM_PROFILE).',
      helpGroup: 'GLOBAL',
    }),
  };

  protected flags!: BaseFlags<T>;
  protected args!: Interfaces.InferredArgs<T['args']>;
  /** Every argument as parsed (for commands with variadic arguments). */
  protected parsedArgv: unknown[] = [];
  /** The parsed invocation as actions see it (src/cli/actions), shared with the fast path. */
  protected session!: CommandSession<T>;

  public override async init(): Promise<void> {
    await super.init();
    const { args, argv, flags } = await this.parse({
      flags: this.ctor.flags,
      baseFlags: (super.ctor as typeof BaseCommand).baseFlags,
      enableJsonFlag: this.ctor.enableJsonFlag,
      args: argsWithoutStdin(this.ctor.args),
      strict: this.ctor.strict,
    });
    this.flags = flags as BaseFlags<T>;
    this.args = args as Interfaces.InferredArgs<T['args']>;
    this.parsedArgv = argv;
    this.session = new CommandSession<T>({
      flags: this.flags,
      args: this.args,
      argv: argv as string[],
      json: this.jsonEnabled(),
    });
  }

  /** Effective settings (flags > env > profile > defaults). */
  protected settings(): ResolvedSettings {
    return this.session.settings();
  }

  protected backend(): Promise<Backend> {
    return this.session.backend();
  }

  /** The namespace of -n (or the configured default), checked to exist. */
  protected namespace(name?: string): Promise<KV> {
    return this.session.namespace(name);
  }

  /** A message for humans: stderr, and silent under --json. */
  protected info(message: string): void {
    this.session.info(message);
  }

  /** An action may have streamed its --json result itself (kv list of every key). */
  protected override logJson(json: unknown): void {
    if (!this.session?.jsonWritten) super.logJson(json);
  }

  protected override async catch(error: Error & { exitCode?: number; oclif?: { exit?: number } }): Promise<unknown> {
    if (error instanceof Errors.ExitError) throw error;
    const exitCode = reportError(error, this.jsonEnabled());
    // oclif's ExitError carries the code to the entry point, which exits.
    return this.exit(exitCode);
  }

  protected override async finally(error: Error | undefined): Promise<unknown> {
    // init() may have failed before the session existed (a parse error).
    await this.session?.close();
    return super.finally(error);
  }
}

/**
 * oclif fills a missing argument from stdin (read as text, lines trimmed and joined, after
 * a 10 ms wait): that would corrupt a value piped to `kv put KEY` and read data as a key.
 * kvadm's stdin is only ever data, read by the command itself.
 */
function argsWithoutStdin(args: Interfaces.ArgInput | undefined): Interfaces.ArgInput {
  return Object.fromEntries(Object.entries(args ?? {}).map(([name, arg]) => [name, { ...arg, ignoreStdin: true }]));
}
