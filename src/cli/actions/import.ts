/**
 * What `kvadm import` does once its arguments are parsed (by oclif or by src/cli/dispatch.ts).
 * On the fast path because scripts bulk-load files in loops too, and a small import's time is
 * mostly start-up. Imports leaf modules, not src/lib/term/index.ts (see config/index.ts).
 */
import type ImportCommand from '../../commands/import.js';
import { importIntoNamespace } from '../../lib/bulk/import-namespace.js';
import { describeInvalid } from '../../lib/bulk/import-errors.js';
import type { NamespaceImportSummary } from '../../lib/bulk/import-types.js';
import { abortOnSignals, bulkInput } from '../../lib/bulk/interrupt.js';
import { type BulkSource, checkReadable } from '../../lib/bulk/io.js';
import { UsageError } from '../../lib/errors.js';
import { delimiterOf, formatOfFile } from '../../lib/formats/index.js';
import { warn } from '../../lib/term/output.js';
import { type Progress, rateText, seconds, startProgress } from '../../lib/term/progress.js';
import { count, counted } from '../../lib/words.js';
import type { CommandSession } from '../command-session.js';

export type ImportResult = NamespaceImportSummary;

export async function action(session: CommandSession<typeof ImportCommand>): Promise<ImportResult> {
  const { flags } = session;
  const { file } = session.args;
  if (file === '-' && flags.format === undefined) {
    throw new UsageError('reading stdin needs --format', 'add --format json, --format jsonl or --format csv');
  }
  const format = formatOfFile(file, flags.format);
  if (file === '-' && process.stdin.isTTY) {
    throw new UsageError('stdin is a terminal: nothing to import', 'pipe a file into kvadm, or give its path');
  }
  if (file !== '-') checkReadable(file);
  const name = session.settings().settings.namespace;
  const started = performance.now();
  // Ctrl-C rolls back (local) or stops sending (remote), and removes a namespace this import
  // created. Watched from before the input is opened: a signal while it opens is no plain kill.
  const signals = abortOnSignals();
  let progress: Progress | undefined;
  let summary: ImportResult;
  try {
    const source: BulkSource = file === '-' ? { kind: 'stream', stream: process.stdin } : await bulkInput(file);
    progress = await startProgress(`importing into '${name}'`, !session.json);
    const shown = progress;
    summary = await importIntoNamespace(await session.backend(), name, source, {
      format,
      ...(format === 'csv' ? { delimiter: delimiterOf(file, flags.delimiter), ignoreColumns: Boolean(flags['ignore-columns']) } : {}),
      createNamespace: Boolean(flags['create-namespace']),
      dryRun: Boolean(flags['dry-run']),
      skipInvalid: Boolean(flags['skip-invalid']),
      ...(flags.rejects ? { rejectsPath: flags.rejects } : {}),
      onProgress: (p) => shown.update(() => rateText(p.phase, p.entries, started)),
      signal: signals.signal,
    });
  } finally {
    signals.stop();
    progress?.stop();
  }
  if (!session.json) report(session, summary);
  return summary;
}

function report(session: CommandSession<typeof ImportCommand>, s: ImportResult): void {
  const unknown = Object.entries(s.unknownFields);
  if (unknown.length > 0) {
    warn(
      `ignored unknown ${s.format === 'csv' ? 'columns' : 'fields'} ${unknown.map(([f, n]) => `"${f}" (${counted(n, 'entry', 'entries')})`).join(', ')}; known: key, value, expiration, expiration_ttl, metadata, base64`,
    );
  }
  if (s.skipped > 0) {
    warn(`skipped ${counted(s.skipped, 'invalid entry', 'invalid entries')}${s.rejectsFile ? ` (written to ${s.rejectsFile})` : ''}:`);
    for (const entry of s.invalid) process.stderr.write(`  ${describeInvalid(entry)}\n`);
    if (s.skipped > s.invalid.length) process.stderr.write(`  … and ${count(s.skipped - s.invalid.length)} more\n`);
  }
  const totals = `${count(s.written)} written, ${count(s.skipped)} skipped, ${counted(s.duplicates, 'duplicate')}, ${seconds(s.seconds)}, ${count(s.keysPerSecond)} keys/s`;
  if (s.dryRun)
    session.info(
      `dry run: ${counted(s.entries, 'entry', 'entries')} read from ${s.source}, nothing written (${totals.replace(' written', ' would be written')})`,
    );
  else
    session.info(
      `imported ${counted(s.entries, 'entry', 'entries')} into '${s.namespace}'${s.createdNamespace ? ' (created)' : ''}: ${totals}`,
    );
}
