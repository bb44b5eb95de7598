/**
 * What `kvadm export` does once its arguments are parsed (by oclif or by src/cli/dispatch.ts).
 * On the fast path with import: scripts export namespaces in loops (backups, pipes into
 * `kvadm import -`), and a small export's time is mostly start-up.
 */
import type ExportCommand from '../../commands/export.js';
import { type ExportSummary, exportEntries } from '../../lib/bulk/export.js';
import { abortOnSignals } from '../../lib/bulk/interrupt.js';
import { delimiterOf, formatOf, formatOfFile } from '../../lib/formats/index.js';
// The leaf, not term/index.js: this file is on the fast path, which loads no module it does not use (see term/index.ts).
import { rateText, seconds, startProgress } from '../../lib/term/progress.js';
import { count, counted } from '../../lib/words.js';
import type { CommandSession } from '../command-session.js';

export type ExportResult = ExportSummary;

export async function action(session: CommandSession<typeof ExportCommand>): Promise<ExportResult> {
  const { flags } = session;
  const file = session.args.file === '-' ? undefined : session.args.file;
  const format = file === undefined ? (formatOf(undefined, flags.format) ?? 'jsonl') : formatOfFile(file, flags.format);
  const delimiter = delimiterOf(file, flags.delimiter);
  const kv = await session.namespace();
  const started = performance.now();
  const progress = await startProgress(`exporting '${kv.name}'`, !session.json);
  // Ctrl-C (or SIGTERM) stops the export and removes its temporary file.
  const signals = abortOnSignals();
  let summary: ExportSummary;
  try {
    summary = await exportEntries(kv, file === undefined ? { kind: 'stream', stream: process.stdout } : { kind: 'file', path: file }, {
      format,
      delimiter,
      ...(flags.prefix ? { prefix: flags.prefix } : {}),
      onProgress: (p) => progress.update(() => rateText('exporting', p.entries, started)),
      signal: signals.signal,
    });
  } finally {
    signals.stop();
    progress.stop();
  }
  session.info(
    `exported ${counted(summary.entries, 'entry', 'entries')} from '${summary.namespace}' to ${summary.target}: ${seconds(summary.seconds)}, ${count(summary.keysPerSecond)} keys/s${summary.base64Values ? ` (${counted(summary.base64Values, 'binary value')} as base64)` : ''}`,
  );
  // With data on stdout, the --json summary goes to stderr: stdout carries nothing but data.
  // Both paths print a returned result on stdout, so this one is written here instead.
  if (session.json && file === undefined) {
    process.stderr.write(`${JSON.stringify(summary, null, 2)}\n`);
    session.jsonWritten = true;
  }
  return summary;
}
