/**
 * How an import that did not write everything ends: the three errors, each carrying the
 * summary in its details, and the report of invalid entries (one line each, built from
 * the entries' fields: index, line, key, code, limit and actual size).
 */
import { ExitCode, KvadmError } from '../errors.js';
import { displayKey } from '../validation.js';
import { count, counted } from '../words.js';
import type { ImportSummary, InvalidEntry } from './import-types.js';

/** Some entries are invalid: nothing was written. Exit 2; the details carry the report. */
export class InvalidEntriesError extends KvadmError {
  readonly summary: ImportSummary;
  constructor(summary: ImportSummary) {
    const valid = summary.entries - summary.invalidCount;
    super('INVALID_ENTRIES', invalidReport(summary), {
      exitCode: ExitCode.usage,
      hint: `fix the entries and import again, or add --skip-invalid to write the valid ${valid === 1 ? 'one' : `${valid}`} (with --rejects FILE to keep the others)`,
      details: { ...summary },
    });
    this.summary = summary;
  }
}

/** The remote refused some entries; the others were written. Exit 1. */
export class ImportIncompleteError extends KvadmError {
  constructor(summary: ImportSummary) {
    const shown = summary.failedKeys.slice(0, 5).map(displayKey).join(', ');
    super(
      'IMPORT_INCOMPLETE',
      `${summary.failed} of ${counted(summary.entries, 'entry', 'entries')} ${summary.failed === 1 ? 'was' : 'were'} refused by the ${summary.namespace} store (${summary.written} written): ${shown}${summary.failed > 5 ? ', …' : ''}`,
      { exitCode: ExitCode.failure, hint: 'import the same file again: the import is idempotent', details: { ...summary } },
    );
  }
}

/** What a remote import that stopped part-way had written. */
export type StoppedWrites =
  /** Writes went in as they were sent: these many the server acknowledged. */
  | { acknowledged: number }
  /** A staged session (kvadm serve): not committed, so nothing; or the commit itself failed, so unknown. */
  | { staged: 'nothing-written' | 'commit-unknown' };

/**
 * A remote import that failed part-way (the server went away, refused the token, ...): what
 * the server had written, and that running it again is safe. The cause's code and exit code
 * are kept (6 for an unreachable server).
 */
export class ImportStoppedError extends KvadmError {
  constructor(cause: KvadmError, facts: { namespace: string; entries: number } & StoppedWrites) {
    const into = `the import into '${facts.namespace}'`;
    const entries = counted(facts.entries, 'entry', 'entries');
    let message: string;
    let hint: string;
    if ('acknowledged' in facts) {
      message = `${into} stopped after the server acknowledged ${count(facts.acknowledged)} of ${entries}: ${cause.message}`;
      hint =
        'the acknowledged entries are stored (others sent may be too); once the server is back, run the same import again: writing the same entries twice is harmless';
    } else if (facts.staged === 'nothing-written') {
      message = `${into} stopped after ${entries} and nothing was written (the server applies a staged import only when it is complete): ${cause.message}`;
      hint = 'once the server is back, run the same import again';
    } else {
      message = `${into} stopped while the server committed its ${entries}, so whether they were written is not known: ${cause.message}`;
      hint = `\`kvadm ns info ${facts.namespace}\` shows what the namespace holds; running the same import again is safe either way`;
    }
    super(cause.code, message, {
      exitCode: cause.exitCode,
      hint: `${hint}${cause.hint ? `. Also: ${cause.hint}` : ''}`,
      details: {
        ...cause.details,
        namespace: facts.namespace,
        entries: facts.entries,
        ...('acknowledged' in facts ? { acknowledged: facts.acknowledged } : { staged: facts.staged }),
        idempotent: true,
      },
      cause,
    });
  }
}

/** The report of invalid entries: one line each (capped), then the count. */
export function invalidReport(summary: ImportSummary): string {
  const lines = [
    `${summary.invalidCount} of ${counted(summary.entries, 'entry', 'entries')} in ${summary.source} ${summary.invalidCount === 1 ? 'is' : 'are'} invalid; nothing was written${summary.dryRun ? ' (dry run)' : ''}:`,
  ];
  for (const entry of summary.invalid) lines.push(`  ${describeInvalid(entry)}`);
  if (summary.invalidCount > summary.invalid.length) {
    lines.push(
      `  … and ${summary.invalidCount - summary.invalid.length} more (${counted(summary.invalidCount, 'invalid entry', 'invalid entries')} in all)`,
    );
  }
  return lines.join('\n');
}

/** `entry 12 (line 13) key "a": KEY_TOO_LONG: UTF-8 encoded length of 600 exceeds … [limit 512, actual 600]` */
export function describeInvalid(entry: InvalidEntry): string {
  let text = `entry ${entry.index} (line ${entry.line})`;
  if (entry.key !== undefined) text += ` key ${displayKey(entry.key)}`;
  text += `: ${entry.code}: ${entry.message}`;
  if (entry.limit !== undefined && entry.actual !== undefined) text += ` [limit ${entry.limit}, actual ${entry.actual}]`;
  return text;
}
