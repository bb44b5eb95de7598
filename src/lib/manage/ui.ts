/**
 * The prompts of `kvadm manage`, all on stderr (stdout stays for data), and the signal
 * that leaves the session from any depth. Ctrl-C at a prompt rejects with inquirer's
 * ExitPromptError, which the command's error policy turns into exit 130.
 */
import type * as Inquirer from '@inquirer/prompts';
import { InterruptedError, isKvadmError } from '../errors.js';
import { formatBytes, formatExpiration } from '../term/index.js';
import { counted } from '../words.js';

export type Prompts = typeof Inquirer;

export interface Ui {
  prompts: Prompts;
  context: { output: NodeJS.WritableStream };
  /** A line for the user. */
  say(text: string): void;
  /** Terminal width for tables. */
  width(): number;
}

export async function createUi(output: NodeJS.WriteStream = process.stderr): Promise<Ui> {
  const prompts = await import('@inquirer/prompts');
  return {
    prompts,
    context: { output },
    say: (text) => output.write(`${text}\n`),
    width: () => output.columns || 100,
  };
}

/** Thrown by "Quit" in any menu; the session catches it and returns. */
export class QuitSession extends Error {
  constructor() {
    super('quit');
    this.name = 'QuitSession';
  }
}

/** An inquirer `validate` from a function that throws on bad input. */
export function validator(check: (text: string) => unknown): (text: string) => true | string {
  return (text) => {
    try {
      check(text);
      return true;
    } catch (error) {
      return (error as Error).message;
    }
  };
}

/** "2026-01-01T00:00:00Z (in 2h 5m)", or "never". */
export function describeExpiration(expiration: number | null, nowMs = Date.now()): string {
  if (expiration === null) return 'never';
  const left = expiration - Math.floor(nowMs / 1000);
  return `${formatExpiration(expiration)} (${left > 0 ? `in ${humanSeconds(left)}` : 'expired'})`;
}

export function describeSize(bytes: number): string {
  return bytes < 1024 ? counted(bytes, 'byte') : `${counted(bytes, 'byte')} (${formatBytes(bytes)})`;
}

function humanSeconds(seconds: number): string {
  const units: Array<[string, number]> = [
    ['d', 86_400],
    ['h', 3600],
    ['m', 60],
    ['s', 1],
  ];
  const parts: string[] = [];
  for (const [unit, size] of units) {
    if (seconds >= size && parts.length < 2) {
      parts.push(`${Math.floor(seconds / size)}${unit}`);
      seconds %= size;
    }
  }
  return parts.join(' ') || '0s';
}

/**
 * Run one menu action; a user error (a KvadmError: a limit, a missing key) is shown and
 * the session goes on. Anything else — Ctrl-C (at a prompt, or InterruptedError during an
 * export or import), Quit, a bug — propagates.
 */
export async function attempt(ui: Ui, action: () => Promise<unknown>): Promise<void> {
  try {
    await action();
  } catch (error) {
    if (!isKvadmError(error) || error instanceof InterruptedError) throw error;
    ui.say(`error: ${error.message}${error.hint ? `\n  hint: ${error.hint}` : ''}`);
  }
}
