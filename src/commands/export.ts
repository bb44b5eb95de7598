import { Args, Flags } from '@oclif/core';
import { BaseCommand } from '../cli/base-command.js';
import { type ExportSummary, exportEntries } from '../lib/bulk/export.js';
import { abortOnSignals } from '../lib/bulk/interrupt.js';
import { FORMATS, delimiterOf, formatOf, formatOfFile } from '../lib/formats/index.js';
import { rateText, seconds, startProgress } from '../lib/term/index.js';
import { count, counted } from '../lib/words.js';

export type ExportResult = ExportSummary;

export default class Export extends BaseCommand<typeof Export> {
  static override summary = 'Write every live key of a namespace, with value, metadata and expiration, to a file or stdout.';
  static override description =
    `The format comes from the file's extension (.json, .jsonl/.ndjson, .csv, .tsv) or --format; stdout defaults to jsonl.
Values that are not valid UTF-8 are written as base64 with "base64": true. Expirations are absolute (unix seconds); expired keys are left out.
The output imports unchanged with \`kvadm import\`, and exporting the imported namespace gives the same bytes.`;
  static override examples = [
    '<%= config.bin %> export backup.json -n users',
    '<%= config.bin %> export -n users --prefix user: > users.jsonl',
    '<%= config.bin %> export sessions.csv -n sessions --delimiter ";"',
    '<%= config.bin %> export -n a | <%= config.bin %> import - --format jsonl -n b',
  ];
  static override args = {
    file: Args.string({ description: 'File to write (replaced when complete); stdout when absent or "-".', ignoreStdin: true }),
  };
  static override flags = {
    format: Flags.string({ summary: 'Output format (default: from the file extension; jsonl on stdout).', options: [...FORMATS] }),
    delimiter: Flags.string({ summary: 'CSV field delimiter: one character, or "tab" (default ",", a tab for .tsv).' }),
    prefix: Flags.string({ char: 'p', summary: 'Only keys starting with this prefix.' }),
  };

  async run(): Promise<ExportResult> {
    const file = this.args.file === '-' ? undefined : this.args.file;
    const format = file === undefined ? (formatOf(undefined, this.flags.format) ?? 'jsonl') : formatOfFile(file, this.flags.format);
    const delimiter = delimiterOf(file, this.flags.delimiter);
    const kv = await this.namespace();
    const started = performance.now();
    const progress = await startProgress(`exporting '${kv.name}'`, !this.jsonEnabled());
    // Ctrl-C (or SIGTERM) stops the export and removes its temporary file.
    const signals = abortOnSignals();
    let summary: ExportSummary;
    try {
      summary = await exportEntries(kv, file === undefined ? { kind: 'stream', stream: process.stdout } : { kind: 'file', path: file }, {
        format,
        delimiter,
        ...(this.flags.prefix ? { prefix: this.flags.prefix } : {}),
        onProgress: (p) => progress.update(() => rateText('exporting', p.entries, started)),
        signal: signals.signal,
      });
    } finally {
      signals.stop();
      progress.stop();
    }
    this.info(
      `exported ${counted(summary.entries, 'entry', 'entries')} from '${summary.namespace}' to ${summary.target}: ${seconds(summary.seconds)}, ${count(summary.keysPerSecond)} keys/s${summary.base64Values ? ` (${counted(summary.base64Values, 'binary value')} as base64)` : ''}`,
    );
    return summary;
  }

  /** With data on stdout, the --json summary goes to stderr: stdout carries nothing but data. */
  protected override logJson(json: unknown): void {
    if (this.args.file === undefined || this.args.file === '-') process.stderr.write(`${JSON.stringify(json, null, 2)}\n`);
    else super.logJson(json);
  }
}
