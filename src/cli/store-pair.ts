/**
 * The SRC and DST of diff, sync and copy at run time: the frame they run in (both stores
 * opened and closed after use, a progress line), and the messages about what DST refused. Free of oclif (the arguments and shared flags
 * are declared in store-pair-flags.ts): the actions of these commands run on the fast path.
 */
import { ExitCode, KvadmError, UsageError, ValidationError } from '../lib/errors.js';
// Leaves, not term/index.js or sync/index.js: this file is on the fast path, which loads no module it does not use (see term/index.ts).
import { warn } from '../lib/term/output.js';
import { rateText, startProgress } from '../lib/term/progress.js';
import { count, counted } from '../lib/words.js';
import type { Settings } from '../lib/config/settings.js';
import { parseStoreAddress } from '../lib/sync/address.js';
import { type Store, openStore } from '../lib/sync/stores.js';

/** What sync and copy found DST would refuse: an error (nothing was written), or with --skip-invalid a warning. */
export function reportRefusedEntries(
  s: { source: string; destination: string; invalid: Array<{ key: string; message: string; code: string }> },
  invalidCount: number,
  options: { skipInvalid: boolean; quiet: boolean },
): void {
  if (invalidCount === 0) return;
  const listed = s.invalid.map((e) => `  ${keyForLine(e.key)}: ${e.message} [${e.code}]`).join('\n');
  const more = invalidCount > s.invalid.length ? `\n  … and ${count(invalidCount - s.invalid.length)} more` : '';
  const entries = counted(invalidCount, 'entry', 'entries');
  if (!options.skipInvalid) {
    throw new ValidationError(
      'ENTRY_INVALID',
      `${entries} of '${s.source}' would be refused by '${s.destination}'; nothing was written:\n${listed}${more}`,
      { hint: 'fix them in SRC, or add --skip-invalid to write the others', details: { invalid: s.invalid, invalidCount } },
    );
  }
  if (!options.quiet) warn(`left out ${entries} '${s.destination}' would refuse:\n${listed}${more}`);
}

/** Keys DST still refused after retries: the run is incomplete (exit 1), and says which. */
export function refusedKeysError(
  code: 'SYNC_INCOMPLETE' | 'COPY_INCOMPLETE',
  s: { destination: string; failed: number; failedKeys: string[]; written: number },
  hint: string,
): KvadmError {
  return new KvadmError(
    code,
    `'${s.destination}' refused ${counted(s.failed, 'key')} after retries: ${s.failedKeys.map(keyForLine).join(', ')}${s.failed > s.failedKeys.length ? ', …' : ''}`,
    { exitCode: ExitCode.failure, hint, details: { failed: s.failed, failedKeys: s.failedKeys, written: s.written } },
  );
}

/** What diff, sync and copy show while they run: a rate line on a terminal, which sync stops for its prompt. */
export interface PairProgress {
  show(phase: string, done: number): void;
  stop(): void;
  /** Stop the line and start another (sync, once its plan is confirmed). */
  restart(phase: string): Promise<void>;
}

/** The parts of a diff, sync or copy invocation the frame reads. */
export interface StorePairInvocation {
  flags: { namespace?: string | undefined };
  args: { src: string; dst: string };
  json: boolean;
  settings(): { settings: Settings };
}

/**
 * The frame of diff, sync and copy: -n refused, both stores open, a progress line (not with
 * --json) from `phase` on until `work` ends, then both stores closed.
 */
export async function onStorePair<T>(
  invocation: StorePairInvocation,
  phase: string,
  work: (src: Store, dst: Store, progress: PairProgress) => Promise<T>,
): Promise<T> {
  refuseNamespaceFlag(invocation.flags.namespace);
  const started = performance.now();
  const wanted = !invocation.json;
  let line = await startProgress(phase, wanted);
  const progress: PairProgress = {
    show: (shown, done) => line.update(() => rateText(shown, done, started)),
    stop: () => line.stop(),
    restart: async (shown) => {
      line.stop();
      line = await startProgress(shown, wanted);
    },
  };
  try {
    return await withStores(invocation.settings().settings, invocation.args, (src, dst) => work(src, dst, progress));
  } finally {
    line.stop();
  }
}

/** Run `work` with both stores open; both backends are closed afterwards. */
async function withStores<T>(
  settings: Settings,
  addresses: { src: string; dst: string },
  work: (src: Store, dst: Store) => Promise<T>,
): Promise<T> {
  const srcAddress = parseStoreAddress(addresses.src, 'SRC');
  const dstAddress = parseStoreAddress(addresses.dst, 'DST');
  const src = await openStore(srcAddress, settings);
  try {
    const dst = await openStore(dstAddress, settings);
    try {
      return await work(src, dst);
    } finally {
      await dst.backend.close().catch(() => undefined);
    }
  } finally {
    await src.backend.close().catch(() => undefined);
  }
}

/** A key on a line of its own: as it is, or JSON-quoted when it holds what would make the line ambiguous. */
export function keyForLine(key: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what needs quoting
  return /[\u0000-\u001f\u007f"\\]|^\s|\s$/.test(key) ? JSON.stringify(key) : key;
}

/** -n names one namespace; these commands take two, as SRC and DST: refuse it rather than ignore it. */
function refuseNamespaceFlag(namespace: string | undefined): void {
  if (namespace !== undefined) {
    throw new UsageError(
      `-n/--namespace ${JSON.stringify(namespace)} does not apply here: the namespaces are SRC and DST`,
      'give them as arguments, e.g. users prod:users',
    );
  }
}
