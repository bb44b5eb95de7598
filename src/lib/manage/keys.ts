/** Inside a namespace: browse keys page by page, view one, put, edit, re-tag, expire and delete. */
import { parseDuration, parseExpiration } from '../duration.js';
import type { KV, KVEntry, PutOptions } from '../kv.js';
import { truncate } from '../term/index.js';
import { parseMetadataText, validateExpiration, validateExpirationTtl, validateKey } from '../validation.js';
import { editText, editableText } from './editor.js';
import { QuitSession, type Ui, describeExpiration, describeSize, validator } from './ui.js';
import { truncateText } from '../words.js';

/** Keys shown per page while browsing. */
export const PAGE_SIZE = 20;
const PREVIEW_CHARS = 600;

type BrowseChoice = { kind: 'key'; name: string } | { kind: 'next' } | { kind: 'previous' } | { kind: 'filter' } | { kind: 'back' };

export async function browseKeys(ui: Ui, kv: KV): Promise<void> {
  const { prompts } = ui;
  let prefix = '';
  // cursors[i] starts page i; page 0 starts at the beginning.
  let cursors: Array<string | undefined> = [undefined];
  let page = 0;
  for (;;) {
    const cursor = cursors[page];
    const result = await kv.list({ limit: PAGE_SIZE, ...(prefix ? { prefix } : {}), ...(cursor ? { cursor } : {}) });
    if (!result.list_complete && result.cursor) cursors[page + 1] = result.cursor;
    const keyWidth = Math.max(20, ui.width() - 10);
    const choices: Array<{ name: string; value: BrowseChoice; description?: string } | InstanceType<Ui['prompts']['Separator']>> =
      result.keys.map((k) => ({
        name: truncate(k.name, keyWidth),
        value: { kind: 'key', name: k.name } as const,
        // One line, cut to the terminal: inquirer would wrap a longer one mid-word.
        description: truncate(
          `expires: ${describeExpiration(k.expiration ?? null)}${k.metadata === undefined ? '' : `  metadata: ${JSON.stringify(k.metadata)}`}`,
          Math.max(20, ui.width() - 1),
        ),
      }));
    if (result.keys.length === 0)
      choices.push(new prompts.Separator(prefix ? `(no keys start with ${JSON.stringify(prefix)})` : '(no keys)'));
    choices.push(new prompts.Separator());
    if (!result.list_complete) choices.push({ name: 'Next page', value: { kind: 'next' } });
    if (page > 0) choices.push({ name: 'Previous page', value: { kind: 'previous' } });
    choices.push({ name: prefix ? `Filter by prefix (now ${JSON.stringify(prefix)})` : 'Filter by prefix', value: { kind: 'filter' } });
    choices.push({ name: 'Back', value: { kind: 'back' } });
    const filtered = prefix ? ` starting with ${JSON.stringify(prefix)}` : '';
    const choice = await prompts.select<BrowseChoice>(
      { message: `Keys in '${kv.name}'${filtered}, page ${page + 1}:`, choices, pageSize: PAGE_SIZE + 6, loop: false },
      ui.context,
    );
    switch (choice.kind) {
      case 'key':
        await keyMenu(ui, kv, choice.name);
        break;
      case 'next':
        page++;
        break;
      case 'previous':
        page--;
        break;
      case 'filter':
        prefix = await prompts.input({ message: 'Show keys starting with (empty for all):', default: prefix }, ui.context);
        cursors = [undefined];
        page = 0;
        break;
      case 'back':
        return;
    }
  }
}

type KeyAction = 'edit' | 'metadata' | 'ttl' | 'delete' | 'back' | 'quit';

/** Show one key and act on it until the user goes back. */
export async function keyMenu(ui: Ui, kv: KV, key: string): Promise<void> {
  const { prompts } = ui;
  for (;;) {
    const entry = await kv.getEntry(key);
    if (entry === null) {
      ui.say(`key '${key}' no longer exists (deleted or expired)`);
      return;
    }
    ui.say(renderEntry(entry, ui.width()));
    const text = editableText(entry.value);
    const action = await prompts.select<KeyAction>(
      {
        message: `Key '${truncate(key, 60)}':`,
        choices: [
          text === null
            ? { name: 'Edit value in editor', value: 'edit', disabled: '(binary value: use kvadm kv put --file)' }
            : { name: 'Edit value in editor', value: 'edit' },
          { name: 'Change metadata', value: 'metadata' },
          { name: 'Change TTL / expiration', value: 'ttl' },
          { name: 'Delete key', value: 'delete' },
          new prompts.Separator(),
          { name: 'Back', value: 'back' },
          { name: 'Quit', value: 'quit' },
        ],
        pageSize: 12,
        loop: false,
      },
      ui.context,
    );
    switch (action) {
      case 'edit': {
        const edited = editText(text as string, key);
        if (edited === null) ui.say('value unchanged');
        else {
          await rewrite(kv, entry, { value: Buffer.from(edited, 'utf8') });
          ui.say(`saved '${key}' (${describeSize(Buffer.byteLength(edited))})`);
        }
        break;
      }
      case 'metadata': {
        const current = entry.metadata === null ? '' : JSON.stringify(entry.metadata);
        const answer = await prompts.input(
          {
            message: 'Metadata as JSON (empty to remove):',
            default: current,
            validate: validator((t) => t.trim() === '' || parseMetadataText(t, key)),
          },
          ui.context,
        );
        await rewrite(kv, entry, { metadata: answer.trim() === '' ? null : JSON.parse(answer) });
        ui.say(answer.trim() === '' ? 'metadata removed' : 'metadata saved');
        break;
      }
      case 'ttl': {
        const answer = await prompts.input(
          {
            message: 'Expire in (90, 15m, 1h, 7d), at (2026-12-31T00:00:00Z), or "never":',
            validate: validator((t) => expiryOptions(t, Date.now())),
          },
          ui.context,
        );
        const expiration = expirationFromAnswer(answer, Date.now());
        await rewrite(kv, entry, { expiration });
        ui.say(`expiration: ${describeExpiration(expiration)}`);
        break;
      }
      case 'delete': {
        const sure = await prompts.confirm({ message: `Delete key '${truncate(key, 60)}'?`, default: false }, ui.context);
        if (sure) {
          await kv.delete(key);
          ui.say(`deleted key '${key}'`);
          return;
        }
        ui.say('nothing deleted');
        break;
      }
      case 'back':
        return;
      case 'quit':
        throw new QuitSession();
    }
  }
}

/** Ask for a new key, its value, metadata and TTL; write it through the KV client. */
export async function putKey(ui: Ui, kv: KV): Promise<string | undefined> {
  const { prompts } = ui;
  const key = await prompts.input({ message: 'Key:', validate: validator(validateKey) }, ui.context);
  if ((await kv.getEntry(key)) !== null) {
    const replace = await prompts.confirm({ message: `'${key}' exists. Replace its value?`, default: false }, ui.context);
    if (!replace) return undefined;
  }
  const value = await prompts.input({ message: 'Value (one line; edit it later for more):' }, ui.context);
  const metadata = await prompts.input(
    { message: 'Metadata as JSON (optional):', validate: validator((t) => t.trim() === '' || parseMetadataText(t, key)) },
    ui.context,
  );
  const ttl = await prompts.input(
    {
      message: 'Expire in (90, 15m, 1h, 7d), at (ISO time), or empty for never:',
      validate: validator((t) => expiryOptions(t, Date.now())),
    },
    ui.context,
  );
  const options: PutOptions = {};
  if (metadata.trim() !== '') options.metadata = JSON.parse(metadata);
  Object.assign(options, expiryOptions(ttl, Date.now()));
  await kv.put(key, value, options);
  ui.say(`wrote '${key}' (${describeSize(Buffer.byteLength(value))}) to '${kv.name}'`);
  return key;
}

/** An expiry answer: "never"/"" → none; an ISO time → absolute; anything else a TTL (90, 15m, 1h30m). */
export function expiryOptions(answer: string, nowMs: number): Pick<PutOptions, 'expiration' | 'expirationTtl'> {
  const text = answer.trim();
  if (text === '' || text.toLowerCase() === 'never') return {};
  if (/^\d{4}-\d{2}-\d{2}/.test(text)) return { expiration: validateExpiration(parseExpiration(text), nowMs) };
  return { expirationTtl: validateExpirationTtl(parseDuration(text, 'TTL')) };
}

/** The absolute expiration (unix seconds) an answer means now, or null for never. */
export function expirationFromAnswer(answer: string, nowMs: number): number | null {
  const options = expiryOptions(answer, nowMs);
  if (options.expiration !== undefined) return options.expiration;
  if (options.expirationTtl !== undefined) return Math.floor(nowMs / 1000) + options.expirationTtl;
  return null;
}

/**
 * Write an entry again with one part changed. The existing expiration is kept as it is
 * (even when less than 60 s are left), so editing a value never extends or shortens its life.
 */
async function rewrite(
  kv: KV,
  entry: KVEntry,
  change: { value?: Uint8Array; metadata?: unknown; expiration?: number | null },
): Promise<void> {
  const metadata = 'metadata' in change ? change.metadata : entry.metadata;
  const stored = await kv.prepareEntry(entry.key, change.value ?? entry.value, metadata === null ? {} : { metadata });
  stored.expiration = 'expiration' in change ? (change.expiration ?? null) : entry.expiration;
  await kv.putEntry(stored);
}

function renderEntry(entry: KVEntry, width: number): string {
  const text = editableText(entry.value);
  const room = Math.max(20, width - 14);
  const lines = [
    '',
    `  key:        ${truncate(entry.key, room)}`,
    `  size:       ${describeSize(entry.value.byteLength)}`,
    `  expiration: ${describeExpiration(entry.expiration)}`,
    `  metadata:   ${entry.metadata === null ? 'none' : truncate(JSON.stringify(entry.metadata), room)}`,
  ];
  if (text === null) {
    lines.push('  value:      (binary, not shown)');
  } else {
    lines.push('  value:');
    const preview = truncateText(text, PREVIEW_CHARS, '');
    const previewLines = preview.split('\n');
    for (const line of previewLines.slice(0, 12)) lines.push(`    ${truncate(line, Math.max(10, width - 6))}`);
    if (previewLines.length > 12 || text.length > PREVIEW_CHARS) lines.push('    … (more; edit the value to see all of it)');
  }
  lines.push('');
  return lines.join('\n');
}
