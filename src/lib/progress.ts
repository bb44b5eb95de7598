/**
 * Progress of long operations: an ora spinner on stderr, only on a terminal, re-rendered
 * at most every 100 ms however often the operation reports. Off a terminal it is silent.
 */
import { startSpinner } from './spinner.js';
import { count, counted } from './words.js';

export { count, counted };

export interface Progress {
  /** Cheap to call often: the text is rebuilt at most every 100 ms. */
  update(render: () => string): void;
  stop(): void;
}

const THROTTLE_MS = 100;

/** A throttled spinner when stderr is a terminal and `enabled`; a no-op otherwise. */
export async function startProgress(text: string, enabled: boolean): Promise<Progress> {
  const spinner = await startSpinner(text, { enabled: enabled && Boolean(process.stderr.isTTY) });
  let last = 0;
  return {
    update(render) {
      const now = performance.now();
      if (now - last < THROTTLE_MS) return;
      last = now;
      spinner.update(render());
    },
    stop() {
      spinner.stop();
    },
  };
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
