import { Args, Flags } from '@oclif/core';
import { BaseCommand } from '../../cli/base-command.js';
import { NUL_SEPARATED_CHAR } from '../../cli/flag-chars.js';
import { KEY_LIST_FORMATS, countPrefix, deleteKeys, deletePrefix, keyListOptions, readKeyList } from '../../lib/bulk/delete.js';
import { type BulkSource, checkReadable, sourceName } from '../../lib/bulk/io.js';
import { confirmDestructive } from '../../lib/confirm.js';
import { UsageError } from '../../lib/errors.js';
import { count, startProgress } from '../../lib/progress.js';
import { counted } from '../../lib/words.js';

export interface KvDeleteResult {
  namespace: string;
  deleted: number;
  /** Keys given as arguments that did not exist (deleting them is not an error). */
  missing: string[];
  /** How many of the keys asked for did not exist (all modes). */
  missingCount: number;
  /** False when the confirmation was declined. */
  confirmed: boolean;
}

export default class KvDelete extends BaseCommand<typeof KvDelete> {
  static override summary = 'Delete keys: those given, every key under --prefix, or those listed in --from-file.';
  static override description =
    `Deleting a key that does not exist is not an error (the store ends up the same); such keys are counted as missing.
--prefix and --from-file ask for confirmation on a terminal and need --force otherwise.
--from-file reads what kvadm prints: kv list (one key a line; a line starting with " is a quoted key), kv list -0 (with -0), kv list --json and export's json, jsonl and csv (with --format, or from the file's extension); "-" reads stdin.
Without --format or -0 the list is read as lines, and input that is plainly JSON or CSV is refused.`;
  static override examples = [
    '<%= config.bin %> kv delete greeting',
    '<%= config.bin %> kv delete a b c',
    '<%= config.bin %> kv delete --prefix session: --force',
    '<%= config.bin %> kv list --prefix tmp: | <%= config.bin %> kv delete --from-file - --force',
    '<%= config.bin %> kv list -0 --prefix tmp: | <%= config.bin %> kv delete --from-file - -0 --force',
    '<%= config.bin %> export --prefix tmp: | <%= config.bin %> kv delete --from-file - --format jsonl --force',
  ];
  static override strict = false;
  static override args = {
    keys: Args.string({ description: 'Keys to delete.', ignoreStdin: true }),
  };
  static override flags = {
    prefix: Flags.string({ char: 'p', summary: 'Delete every key starting with this prefix.', exclusive: ['from-file'] }),
    'from-file': Flags.string({ summary: 'Delete the keys listed in this file ("-" for stdin): one a line, or see --format and -0.' }),
    format: Flags.string({
      summary:
        'How the --from-file list is written: lines (kv list), json (kv list --json, export --format json), jsonl (export), csv (export --format csv). Default: the file extension, else lines.',
      options: [...KEY_LIST_FORMATS],
      exclusive: ['null'],
      dependsOn: ['from-file'],
    }),
    null: Flags.boolean({
      char: NUL_SEPARATED_CHAR,
      summary: 'The --from-file list is NUL-separated (kv list -0, find -print0).',
      exclusive: ['format'],
      dependsOn: ['from-file'],
    }),
    delimiter: Flags.string({
      summary: 'CSV field delimiter of the --from-file list: one character, or "tab" (default ",").',
      dependsOn: ['from-file'],
    }),
    force: Flags.boolean({ char: 'f', summary: 'Do not ask for confirmation (needed off a terminal with --prefix or --from-file).' }),
  };

  async run(): Promise<KvDeleteResult> {
    const keys = this.parsedArgv as string[];
    const { prefix, force } = this.flags;
    const fromFile = this.flags['from-file'];
    if (keys.length > 0 && (prefix !== undefined || fromFile !== undefined)) {
      throw new UsageError('give keys as arguments, or --prefix, or --from-file: not together');
    }
    if (prefix !== undefined) return this.deleteUnderPrefix(prefix, force);
    if (fromFile !== undefined) return this.deleteFromFile(fromFile, force);
    if (keys.length === 0) {
      throw new UsageError('missing the keys to delete', 'give one or more keys (kvadm kv delete KEY...), --prefix P or --from-file FILE');
    }
    const kv = await this.namespace();
    const missing: string[] = [];
    let deleted = 0;
    for (const key of keys) {
      if (await kv.delete(key)) deleted++;
      else missing.push(key);
    }
    this.info(
      `deleted ${deleted} of ${counted(keys.length, 'key')} from '${kv.name}'${missing.length ? ` (${missing.length} did not exist)` : ''}`,
    );
    return { namespace: kv.name, deleted, missing, missingCount: missing.length, confirmed: true };
  }

  private async deleteUnderPrefix(prefix: string, force: boolean): Promise<KvDeleteResult> {
    if (prefix === '') {
      throw new UsageError(
        'refusing to delete with an empty --prefix (it would delete every key)',
        'to empty a namespace, delete it: kvadm ns delete NAME',
      );
    }
    const kv = await this.namespace();
    // Counting costs a listing: only worth it when someone reads the question.
    const action = force
      ? `delete every key under prefix ${JSON.stringify(prefix)} in '${kv.name}'`
      : `delete ${counted(await countPrefix(kv, prefix), 'key')} under prefix ${JSON.stringify(prefix)} in '${kv.name}'`;
    if (!(await confirmDestructive({ action, force }))) return this.declined(kv.name);
    const progress = await startProgress('deleting', !this.jsonEnabled());
    let deleted: number;
    try {
      deleted = await deletePrefix(kv, prefix, (p) => progress.update(() => `deleting: ${counted(p.deleted, 'key')}`));
    } finally {
      progress.stop();
    }
    this.info(`deleted ${counted(deleted, 'key')} under prefix ${JSON.stringify(prefix)} from '${kv.name}'`);
    return { namespace: kv.name, deleted, missing: [], missingCount: 0, confirmed: true };
  }

  private async deleteFromFile(file: string, force: boolean): Promise<KvDeleteResult> {
    if (file !== '-') checkReadable(file);
    else if (process.stdin.isTTY)
      throw new UsageError('stdin is a terminal: no key list to read', 'pipe the key list into kvadm, or give a file');
    const kv = await this.namespace();
    const source: BulkSource = file === '-' ? { kind: 'stream', stream: process.stdin } : { kind: 'file', path: file };
    const keys = await readKeyList(source, keyListOptions(this.flags));
    const action = `delete the ${counted(keys.length, 'key')} listed in ${sourceName(source)} from '${kv.name}'`;
    if (!(await confirmDestructive({ action, force }))) return this.declined(kv.name);
    const progress = await startProgress('deleting', !this.jsonEnabled());
    let deleted: number;
    try {
      deleted = await deleteKeys(kv, keys, (p) =>
        progress.update(() => `deleting: ${count(p.processed)} of ${counted(keys.length, 'key')}`),
      );
    } finally {
      progress.stop();
    }
    const missingCount = keys.length - deleted;
    this.info(
      `deleted ${count(deleted)} of ${counted(keys.length, 'key')} from '${kv.name}'${missingCount ? ` (${count(missingCount)} did not exist)` : ''}`,
    );
    return { namespace: kv.name, deleted, missing: [], missingCount, confirmed: true };
  }

  private declined(namespace: string): KvDeleteResult {
    this.info('nothing deleted');
    return { namespace, deleted: 0, missing: [], missingCount: 0, confirmed: false };
  }
}
