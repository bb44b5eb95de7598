import { Args, Flags } from '@oclif/core';
import { BaseCommand } from '../cli/base-command.js';
import { type ExportResult, action } from '../cli/actions/export.js';
import { FORMATS } from '../lib/formats/index.js';

export type { ExportResult } from '../cli/actions/export.js';

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
    return action(this.session);
  }
}
