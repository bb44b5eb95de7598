/**
 * Export and import for `kvadm manage`: the bulk engine of `kvadm export`/`kvadm import`
 * (same formats, validation and limits), with the format taken from the file's extension,
 * and Ctrl-C turned into an InterruptedError at the engine's next progress report, so the
 * engine's own cleanup runs: an export removes its temporary file (the target appears only
 * when complete), an import on the local store rolls its transaction back.
 */
import { type ExportSummary, exportEntries } from '../bulk/export.js';
import { importEntries } from '../bulk/import.js';
import { type InvalidEntriesError, invalidReport } from '../bulk/import-errors.js';
import type { ImportSummary } from '../bulk/import-types.js';
import { checkReadable } from '../bulk/io.js';
import { InterruptedError } from '../errors.js';
import { delimiterOf, formatOfFile } from '../formats/index.js';
import type { KV } from '../kv.js';

/** Called with the running count of entries. */
export type Progress = (entries: number) => void;

export const EXTENSION_HINT = 'name the file .json, .jsonl (or .ndjson), .csv or .tsv';

/** Write every live key of `kv` to `file`, in the format of its extension. */
export async function exportToFile(kv: KV, file: string, onProgress: Progress = () => {}): Promise<ExportSummary> {
  const format = formatOfFile(file, undefined, EXTENSION_HINT);
  return interruptible((check) =>
    exportEntries(
      kv,
      { kind: 'file', path: file },
      { format, delimiter: delimiterOf(file, undefined), onProgress: (p) => onProgress(check(p.entries)) },
    ),
  );
}

/**
 * Import `file` into `kv`. Every entry is checked: if any is invalid nothing is written
 * and InvalidEntriesError carries the report. `dryRun` checks and counts only.
 */
export async function importFromFile(
  kv: KV,
  file: string,
  options: { dryRun?: boolean; onProgress?: Progress } = {},
): Promise<ImportSummary> {
  const format = formatOfFile(file, undefined, EXTENSION_HINT);
  checkReadable(file);
  const onProgress = options.onProgress ?? (() => {});
  return interruptible((check) =>
    importEntries(
      kv,
      { kind: 'file', path: file },
      {
        format,
        delimiter: delimiterOf(file, undefined),
        dryRun: Boolean(options.dryRun),
        onProgress: (p) => onProgress(check(p.entries)),
      },
    ),
  );
}

/** What the session shows for invalid entries: the engine's capped report (nothing is written, dry run or not). */
export function invalidEntriesReport(error: InvalidEntriesError): string {
  return invalidReport({ ...error.summary, dryRun: false });
}

/**
 * Run `operation` with Ctrl-C caught: `check` (called from the engine's progress reports)
 * throws InterruptedError once SIGINT has arrived; so does the end of an interrupted run.
 */
async function interruptible<T>(operation: (check: (entries: number) => number) => Promise<T>): Promise<T> {
  let interrupted = false;
  const onSigint = () => {
    interrupted = true;
  };
  const check = (entries: number): number => {
    if (interrupted) throw new InterruptedError();
    return entries;
  };
  process.on('SIGINT', onSigint);
  try {
    const result = await operation(check);
    check(0);
    return result;
  } finally {
    process.off('SIGINT', onSigint);
  }
}
