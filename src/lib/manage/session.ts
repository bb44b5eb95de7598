/**
 * `kvadm manage`: an interactive session over the namespaces of any backend, through the
 * same KV client as the commands. Every write is one KV call (atomic per key), so leaving
 * at any prompt — Quit or Ctrl-C — never leaves anything half-written.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Backend } from '../backends/backend.js';
import { KV } from '../kv.js';
import { formatBytes, rateText, withProgress } from '../term/index.js';
import { InvalidEntriesError } from '../bulk/import-errors.js';
import type { ImportSummary } from '../bulk/import-types.js';
import { formatOfFile } from '../formats/index.js';
import { validateNamespaceName } from '../validation.js';
import { browseKeys, keyMenu, putKey } from './keys.js';
import { EXTENSION_HINT, exportToFile, importFromFile, invalidEntriesReport } from './transfer.js';
import { QuitSession, type Ui, attempt, createUi, validator } from './ui.js';
import { counted } from '../words.js';

export interface ManageOptions {
  backend: Backend;
  /** Open this namespace first (from -n). */
  namespace?: string;
}

type TopChoice = { kind: 'open'; name: string } | { kind: 'create' } | { kind: 'delete' } | { kind: 'quit' };

export async function runManage(options: ManageOptions): Promise<void> {
  const ui = await createUi();
  const { backend } = options;
  try {
    if (options.namespace) await namespaceMenu(ui, await KV.open(options.namespace, { backend }));
    for (;;) {
      const names = await KV.listNamespaces({ backend });
      const choice = await ui.prompts.select<TopChoice>(
        {
          message: `Namespaces on ${backend.location} (${names.length}):`,
          choices: [
            ...names.map((name) => ({ name, value: { kind: 'open', name } as const })),
            ...(names.length === 0 ? [new ui.prompts.Separator('(no namespaces yet)')] : []),
            new ui.prompts.Separator(),
            { name: 'Create a namespace', value: { kind: 'create' } },
            { name: 'Delete a namespace', value: { kind: 'delete' }, disabled: names.length === 0 },
            { name: 'Quit', value: { kind: 'quit' } },
          ],
          pageSize: 20,
          loop: false,
        },
        ui.context,
      );
      if (choice.kind === 'quit') return;
      await attempt(ui, () => topAction(ui, backend, choice, names));
    }
  } catch (error) {
    if (error instanceof QuitSession) return;
    throw error;
  }
}

async function topAction(ui: Ui, backend: Backend, choice: TopChoice, names: string[]): Promise<void> {
  switch (choice.kind) {
    case 'open':
      await namespaceMenu(ui, await KV.open(choice.name, { backend }));
      break;
    case 'create': {
      const name = await ui.prompts.input(
        { message: 'Name of the new namespace:', validate: validator(validateNamespaceName) },
        ui.context,
      );
      const kv = await KV.create(name, { backend });
      ui.say(`created namespace '${name}'`);
      await namespaceMenu(ui, kv);
      break;
    }
    case 'delete': {
      const name = await ui.prompts.select<string | null>(
        {
          message: 'Delete which namespace?',
          choices: [...names.map((n) => ({ name: n, value: n })), new ui.prompts.Separator(), { name: 'Cancel', value: null }],
          pageSize: 20,
          loop: false,
        },
        ui.context,
      );
      if (name !== null) await deleteNamespace(ui, await KV.open(name, { backend }));
      break;
    }
    case 'quit':
      return;
  }
}

type NamespaceAction = 'browse' | 'put' | 'view' | 'info' | 'export' | 'import' | 'delete' | 'back' | 'quit';

async function namespaceMenu(ui: Ui, kv: KV): Promise<void> {
  for (;;) {
    const action = await ui.prompts.select<NamespaceAction>(
      {
        message: `Namespace '${kv.name}':`,
        choices: [
          { name: 'Browse keys', value: 'browse' },
          { name: 'View a key', value: 'view' },
          { name: 'Put a new key', value: 'put' },
          { name: 'Show namespace info', value: 'info' },
          { name: 'Export to a file', value: 'export' },
          { name: 'Import from a file', value: 'import' },
          { name: 'Delete this namespace', value: 'delete' },
          new ui.prompts.Separator(),
          { name: 'Back', value: 'back' },
          { name: 'Quit', value: 'quit' },
        ],
        pageSize: 12,
        loop: false,
      },
      ui.context,
    );
    if (action === 'back') return;
    if (action === 'quit') throw new QuitSession();
    let deleted = false;
    await attempt(ui, async () => {
      deleted = await namespaceAction(ui, kv, action);
    });
    if (deleted) return;
  }
}

/** One action of the namespace menu; resolves to true when the namespace was deleted. */
async function namespaceAction(ui: Ui, kv: KV, action: NamespaceAction): Promise<boolean> {
  switch (action) {
    case 'browse':
      await browseKeys(ui, kv);
      break;
    case 'view': {
      const key = await ui.prompts.input({ message: 'Key:' }, ui.context);
      if (key !== '') await keyMenu(ui, kv, key);
      break;
    }
    case 'put':
      await putKey(ui, kv);
      break;
    case 'info': {
      const info = await kv.namespaceInfo();
      ui.say(
        `\n  namespace:    ${info.name}\n  keys:         ${info.keyCount}\n  stored bytes: ${info.storedBytes} (${formatBytes(info.storedBytes)})\n  expired keys: ${info.expiredKeys} (not yet swept)\n`,
      );
      break;
    }
    case 'export':
      await exportFlow(ui, kv);
      break;
    case 'import':
      await importFlow(ui, kv);
      break;
    case 'delete':
      return deleteNamespace(ui, kv);
    default:
      break;
  }
  return false;
}

/** The user types the namespace's name to confirm; resolves to whether it was deleted. */
async function deleteNamespace(ui: Ui, kv: KV): Promise<boolean> {
  const { keyCount } = await kv.namespaceInfo();
  const typed = await ui.prompts.input(
    { message: `This deletes namespace '${kv.name}' and its ${counted(keyCount, 'key')}. Type its name to confirm:` },
    ui.context,
  );
  if (typed !== kv.name) {
    ui.say('the name does not match: nothing deleted');
    return false;
  }
  await KV.delete(kv.name, { backend: kv.backend });
  ui.say(`deleted namespace '${kv.name}' (${counted(keyCount, 'key')})`);
  return true;
}

async function exportFlow(ui: Ui, kv: KV): Promise<void> {
  const answer = await ui.prompts.input(
    {
      message: 'Export to file (.json, .jsonl or .csv):',
      default: `${kv.name}.json`,
      validate: (t) =>
        t.trim() === '' ? 'give a file name' : fs.existsSync(path.dirname(path.resolve(t))) || 'that folder does not exist',
    },
    ui.context,
  );
  const file = path.resolve(answer);
  formatOfFile(file, undefined, EXTENSION_HINT); // an unknown extension: say so before asking anything else
  if (fs.existsSync(file) && !(await ui.prompts.confirm({ message: `${file} exists. Replace it?`, default: false }, ui.context))) {
    ui.say('nothing exported');
    return;
  }
  const summary = await withRate(`exporting '${kv.name}'`, (onProgress) => exportToFile(kv, file, onProgress));
  ui.say(`exported ${counted(summary.entries, 'key')} to ${file} (${summary.format})`);
}

async function importFlow(ui: Ui, kv: KV): Promise<void> {
  const answer = await ui.prompts.input(
    { message: 'Import from file (.json, .jsonl or .csv):', validate: (t) => fs.existsSync(path.resolve(t)) || 'no such file' },
    ui.context,
  );
  const file = path.resolve(answer);
  let checked: ImportSummary;
  try {
    // The same checks as `kvadm import`, before asking: an invalid file is reported and nothing is written.
    checked = await withRate(`checking ${path.basename(file)}`, (onProgress) => importFromFile(kv, file, { dryRun: true, onProgress }));
  } catch (error) {
    if (!(error instanceof InvalidEntriesError)) throw error;
    ui.say(invalidEntriesReport(error));
    return;
  }
  const sure = await ui.prompts.confirm(
    { message: `Import ${counted(checked.entries, 'key')} into '${kv.name}'? Keys with the same names are replaced.`, default: true },
    ui.context,
  );
  if (!sure) {
    ui.say('nothing imported');
    return;
  }
  try {
    const summary = await withRate(`importing into '${kv.name}'`, (onProgress) => importFromFile(kv, file, { onProgress }));
    ui.say(`imported ${counted(summary.entries, 'key')} into '${kv.name}'`);
  } catch (error) {
    // Checked above, but an expiration may have come too close since: still nothing written.
    if (!(error instanceof InvalidEntriesError)) throw error;
    ui.say(invalidEntriesReport(error));
  }
}

/** Run a bulk operation under progress, showing the running count and rate. */
async function withRate<T>(label: string, run: (onProgress: (entries: number) => void) => Promise<T>): Promise<T> {
  const started = performance.now();
  return withProgress(label, (progress) => run((entries) => progress.update(() => rateText(label, entries, started))));
}
