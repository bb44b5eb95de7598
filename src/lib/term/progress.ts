/**
 * Progress of long operations: an ora spinner on stderr, shown only when stderr is a
 * terminal (not TERM=dumb) and the caller is not printing JSON, so pipes and logs never
 * see escape codes. It is re-rendered at most every 100 ms however often the operation
 * reports. ora is imported on demand; hidden progress does nothing at all.
 *
 * @example
 * const written = await withProgress('exporting users', async (progress) => {
 *   progress.update(() => 'exporting users: 1000 keys');
 *   return 1000;
 * }, !this.jsonEnabled());
 */
import { useColor } from './output.js';
import { count, counted } from '../words.js';

export interface Progress {
  /** Cheap to call often: the text is rebuilt at most every 100 ms. */
  update(render: () => string): void;
  /** Stop and erase the line. */
  stop(): void;
  /** Stop with a cross: the operation failed. */
  fail(): void;
}

const THROTTLE_MS = 100;

const hidden: Progress = { update() {}, stop() {}, fail() {} };

/** Whether progress shows: asked for (`wanted`: not --json), stderr a terminal, and not TERM=dumb. */
function showsProgress(wanted: boolean): boolean {
  return wanted && Boolean(process.stderr.isTTY) && process.env.TERM !== 'dumb';
}

/** A throttled spinner when `wanted` and stderr is a terminal; a no-op otherwise. */
export async function startProgress(text: string, wanted: boolean): Promise<Progress> {
  if (!showsProgress(wanted)) return hidden;
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
  let last = 0;
  return {
    update(render) {
      const now = performance.now();
      if (now - last < THROTTLE_MS) return;
      last = now;
      spinner.text = render();
    },
    stop() {
      spinner.stop();
    },
    fail() {
      spinner.fail();
    },
  };
}

/** Run `fn` under progress: erased when it succeeds, marked failed (the error rethrown) when it throws. */
export async function withProgress<T>(text: string, fn: (progress: Progress) => Promise<T>, wanted = true): Promise<T> {
  const progress = await startProgress(text, wanted);
  try {
    const result = await fn(progress);
    progress.stop();
    return result;
  } catch (error) {
    progress.fail();
    throw error;
  }
}

/** "12.3 s" */
export function seconds(s: number): string {
  return `${s < 10 ? s.toFixed(2) : s.toFixed(1)} s`;
}

/** Entries processed, rate and elapsed time, for a spinner. */
export function rateText(label: string, entries: number, startedMs: number): string {
  const elapsed = (performance.now() - startedMs) / 1000;
  const rate = elapsed > 0 ? Math.round(entries / elapsed) : 0;
  return `${label}: ${counted(entries, 'entry', 'entries')} · ${count(rate)} keys/s · ${seconds(elapsed)}`;
}
