import { Args, Flags } from '@oclif/core';
import { BaseCommand } from '../cli/base-command.js';
import { type ImportResult, action } from '../cli/actions/import.js';
import { FORMATS } from '../lib/formats/index.js';

export type { ImportResult } from '../cli/actions/import.js';

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
    return action(this.session);
  }
}
