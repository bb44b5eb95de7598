/**
 * What a command's action gets once its arguments are parsed: the parsed flags and
 * arguments, --json, the message writers and the lazily opened backend. The oclif
 * BaseCommand and the fast dispatcher (src/cli/dispatch.ts) both build one, so an action
 * body runs the same way on both paths. Free of oclif imports (type imports only).
 */
import type { Command, Interfaces } from '@oclif/core';
import type { Backend } from '../lib/backends/backend.js';
import { createBackend } from '../lib/backends/index.js';
import { KV } from '../lib/kv.js';
import type { ResolvedSettings } from '../lib/config/index.js';
import type { BaseFlags } from './base-command.js';
import { settingsFromFlags } from '../lib/config/flag-settings.js';

/** The parsed invocation of command class T, as an action sees it. */
export interface CommandInput<T extends typeof Command> {
  flags: BaseFlags<T>;
  args: Interfaces.InferredArgs<T['args']>;
  /** Every argument as parsed, in order (commands with variadic arguments read these). */
  argv: string[];
  json: boolean;
}

export class CommandSession<T extends typeof Command> {
  readonly flags: BaseFlags<T>;
  readonly args: Interfaces.InferredArgs<T['args']>;
  readonly argv: string[];
  readonly json: boolean;
  /** Set by an action that streamed its --json result to stdout itself: nothing more is printed. */
  jsonWritten = false;
  private openedBackend: Backend | undefined;
  private resolved: ResolvedSettings | undefined;

  constructor(input: CommandInput<T>) {
    this.flags = input.flags;
    this.args = input.args;
    this.argv = input.argv;
    this.json = input.json;
  }

  /** Effective settings (flags > env > profile > defaults). */
  settings(): ResolvedSettings {
    this.resolved ??= settingsFromFlags(this.flags as Record<string, unknown>);
    return this.resolved;
  }

  async backend(): Promise<Backend> {
    this.openedBackend ??= await createBackend(this.settings().settings);
    return this.openedBackend;
  }

  /** The namespace of -n (or the configured default), checked to exist. */
  async namespace(name?: string): Promise<KV> {
    return KV.open(name ?? this.settings().settings.namespace, { backend: await this.backend() });
  }

  /** A line of data on stdout; silent under --json (the result is printed instead). */
  log(message: string): void {
    if (!this.json) process.stdout.write(`${message}\n`);
  }

  /** A message for humans: stderr, and silent under --json. */
  info(message: string): void {
    if (!this.json) process.stderr.write(`${message}\n`);
  }

  async close(): Promise<void> {
    if (this.openedBackend) await this.openedBackend.close().catch(() => undefined);
  }
}
