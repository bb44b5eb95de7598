/**
 * A spinner on stderr for long operations: only when stderr is a terminal (and the
 * caller is not printing JSON), so pipes and logs never see escape codes. ora is
 * imported on demand; a disabled spinner does nothing at all.
 *
 * @example
 * const count = await withSpinner('exporting users', async (spinner) => {
 *   spinner.update('exporting users: 1000 keys');
 *   return 1000;
 * }, { json: this.jsonEnabled() });
 */
import { useColor } from './output.js';

export interface Spinner {
  update(text: string): void;
  /** Stop with a check mark and `text` (the start text when absent). */
  succeed(text?: string): void;
  /** Stop with a cross and `text`. */
  fail(text?: string): void;
  /** Stop and erase the line. */
  stop(): void;
}

export interface SpinnerOptions {
  /** True when the command prints JSON: no spinner then. */
  json?: boolean;
  /** Force on or off (default: stderr is a TTY). */
  enabled?: boolean;
}

const silent: Spinner = { update() {}, succeed() {}, fail() {}, stop() {} };

export function spinnerEnabled(options: SpinnerOptions = {}): boolean {
  if (options.enabled !== undefined) return options.enabled;
  return Boolean(process.stderr.isTTY) && !options.json && process.env.TERM !== 'dumb';
}

export async function startSpinner(text: string, options: SpinnerOptions = {}): Promise<Spinner> {
  if (!spinnerEnabled(options)) return silent;
  const { default: ora } = await import('ora');
  // discardStdin: false — ora would otherwise take over stdin, which breaks prompts that follow.
  // isEnabled: our rule (a terminal) decides, not ora's own guess, which also turns spinners
  // off whenever CI is set in the environment.
  const spinner = ora({
    text,
    stream: process.stderr,
    discardStdin: false,
    isEnabled: true,
    color: useColor() ? 'cyan' : false,
  }).start();
  return {
    update: (next) => {
      spinner.text = next;
    },
    succeed: (done) => {
      spinner.succeed(done);
    },
    fail: (why) => {
      spinner.fail(why);
    },
    stop: () => {
      spinner.stop();
    },
  };
}

/** Run `fn` under a spinner: it stops on success (erased) and on failure (marked failed, the error rethrown). */
export async function withSpinner<T>(text: string, fn: (spinner: Spinner) => Promise<T>, options: SpinnerOptions = {}): Promise<T> {
  const spinner = await startSpinner(text, options);
  try {
    const result = await fn(spinner);
    spinner.stop();
    return result;
  } catch (error) {
    spinner.fail();
    throw error;
  }
}
