import { Args, Flags } from '@oclif/core';
import { BaseCommand } from '../cli/base-command.js';
import { importIntoNamespace } from '../lib/bulk/import-namespace.js';
import { describeInvalid } from '../lib/bulk/import-errors.js';
import type { NamespaceImportSummary } from '../lib/bulk/import-types.js';
import { abortOnSignals, bulkInput } from '../lib/bulk/interrupt.js';
import { type BulkSource, checkReadable } from '../lib/bulk/io.js';
import { UsageError } from '../lib/errors.js';
import { FORMATS, delimiterOf, formatOfFile } from '../lib/formats/index.js';
import { type Progress, rateText, seconds, startProgress, warn } from '../lib/term/index.js';
import { count, counted } from '../lib/words.js';

export type ImportResult = NamespaceImportSummary;

export default class Import extends BaseCommand<typeof Import> {
  static override summary = 'Write entries from a JSON, JSON Lines or CSV file into a namespace.';
  static override description =
    `The format comes from the extension (.json, .jsonl/.ndjson, .csv, .tsv) or --format; stdin ("-") needs --format.
json: an array of {key, value, expiration?, expiration_ttl?, metadata?, base64?} (wrangler's bulk format) or a plain object {"key": value}.
jsonl: one entry object a line. csv: a header row with key,value and optionally metadata,expiration,expiration_ttl,base64
(any case); another column is an error unless --ignore-columns. A .tsv file is CSV with tabs.
Every entry is checked first: if any is invalid nothing is written, the bad entries are listed, and the exit code is 2
(--skip-invalid writes the valid ones instead). On the local store the import is one transaction: all or nothing.
Duplicate keys: the last one wins. Ctrl-C stops the import (exit 130) and removes a namespace --create-namespace made.
A remote import that fails part-way says how many entries the server acknowledged; importing the same file again is safe.`;
  static override examples = [
    '<%= config.bin %> import users.json -n users',
    '<%= config.bin %> import seed.csv -n cache --create-namespace',
    '<%= config.bin %> import data.jsonl -n users --skip-invalid --rejects rejected.jsonl',
    '<%= config.bin %> export -n a | <%= config.bin %> import - --format jsonl -n b',
  ];
  static override args = {
    file: Args.string({ description: 'File to read, or - for stdin.', required: true, ignoreStdin: true }),
  };
  static override flags = {
    format: Flags.string({ summary: 'Input format (default: from the file extension).', options: [...FORMATS] }),
    delimiter: Flags.string({ summary: 'CSV field delimiter: one character, or "tab" (default ",", a tab for .tsv).' }),
    'ignore-columns': Flags.boolean({ summary: 'CSV: leave out columns kvadm does not know (otherwise they are an error).' }),
    'create-namespace': Flags.boolean({ summary: 'Create the namespace if it does not exist (otherwise that is exit 3).' }),
    'dry-run': Flags.boolean({ summary: 'Validate and count, write nothing.' }),
    'skip-invalid': Flags.boolean({ summary: 'Write the valid entries and leave out the invalid ones (exit 0; the summary counts them).' }),
    rejects: Flags.string({
      summary: 'With --skip-invalid: write the rejected entries to this file, in the input format.',
      dependsOn: ['skip-invalid'],
    }),
  };

  async run(): Promise<ImportResult> {
    const { file } = this.args;
    if (file === '-' && this.flags.format === undefined) {
      throw new UsageError('reading stdin needs --format', 'add --format json, --format jsonl or --format csv');
    }
    const format = formatOfFile(file, this.flags.format);
    if (file === '-' && process.stdin.isTTY) {
      throw new UsageError('stdin is a terminal: nothing to import', 'pipe a file into kvadm, or give its path');
    }
    if (file !== '-') checkReadable(file);
    const name = this.settings().settings.namespace;
    const started = performance.now();
    // Ctrl-C rolls back (local) or stops sending (remote), and removes a namespace this import
    // created. Watched from before the input is opened: a signal while it opens is no plain kill.
    const signals = abortOnSignals();
    let progress: Progress | undefined;
    let summary: ImportResult;
    try {
      const source: BulkSource = file === '-' ? { kind: 'stream', stream: process.stdin } : await bulkInput(file);
      progress = await startProgress(`importing into '${name}'`, !this.jsonEnabled());
      const shown = progress;
      summary = await importIntoNamespace(await this.backend(), name, source, {
        format,
        ...(format === 'csv' ? { delimiter: delimiterOf(file, this.flags.delimiter), ignoreColumns: this.flags['ignore-columns'] } : {}),
        createNamespace: this.flags['create-namespace'],
        dryRun: this.flags['dry-run'],
        skipInvalid: this.flags['skip-invalid'],
        ...(this.flags.rejects ? { rejectsPath: this.flags.rejects } : {}),
        onProgress: (p) => shown.update(() => rateText(p.phase, p.entries, started)),
        signal: signals.signal,
      });
    } finally {
      signals.stop();
      progress?.stop();
    }
    if (!this.jsonEnabled()) this.report(summary);
    return summary;
  }

  private report(s: ImportResult): void {
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
      this.info(
        `dry run: ${counted(s.entries, 'entry', 'entries')} read from ${s.source}, nothing written (${totals.replace(' written', ' would be written')})`,
      );
    else
      this.info(
        `imported ${counted(s.entries, 'entry', 'entries')} into '${s.namespace}'${s.createdNamespace ? ' (created)' : ''}: ${totals}`,
      );
  }
}
