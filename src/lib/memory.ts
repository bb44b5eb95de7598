/**
 * Giving memory back between the steps that copy one large value (read pieces → joined text →
 * parsed string → Buffer → SQLite's bound copy and record). Each step leaves the previous copy
 * as garbage, and V8 sees no reason to collect it before the next step allocates: one 25 MiB
 * value peaked at 250-270 MB RSS with four or five dead copies alive. A full collection at
 * those points keeps at most two copies at once. It costs a few milliseconds, so it runs only
 * for values of LARGE_VALUE_CHARS or more (never during an import of small entries).
 *
 * node:v8 and node:vm load on first use (lazy-builtins.ts): every command that opens the local
 * store (`kv get` too) imports this module for LARGE_VALUE_CHARS.
 */
import { v8, vm } from './lazy-builtins.js';

/** Text (characters) or bytes from which a value counts as large: collecting costs ~1% of reading it. */
export const LARGE_VALUE_CHARS = 4 * 1024 * 1024;

let collect: (() => void) | null | undefined;

/**
 * Run a full garbage collection now. Node exposes no API for it without a command-line flag
 * (and users run `kvadm` plainly), so the flag is set at run time, once; the `gc` function
 * appears in contexts created after that. Where that fails, this does nothing.
 */
export function collectGarbage(): void {
  if (collect === undefined) {
    try {
      const exposed = (globalThis as { gc?: () => void }).gc;
      if (exposed) collect = exposed;
      else {
        v8().setFlagsFromString('--expose-gc');
        const fn = vm().runInNewContext('gc') as unknown;
        collect = typeof fn === 'function' ? (fn as () => void) : null;
      }
    } catch {
      collect = null;
    }
  }
  collect?.();
}
