import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers.js';
import { Terminal, keys } from '../pty.js';
import { runCommand } from '../run-command.js';

const open: Terminal[] = [];
afterEach(() => {
  for (const terminal of open.splice(0)) terminal.kill();
});

function sandbox() {
  const dir = tempDir('manage');
  const editor = path.join(dir, 'editor.sh');
  // A non-interactive "editor": replaces the file's content, as a user saving would.
  fs.writeFileSync(editor, '#!/bin/sh\nprintf "edited by the editor" > "$1"\n', { mode: 0o755 });
  const env = {
    KVADM_DATA_DIR: path.join(dir, 'data'),
    KVADM_CONFIG_DIR: path.join(dir, 'config'),
    EDITOR: editor,
    VISUAL: '',
  };
  const terminal = (args: string[]) => {
    const t = new Terminal(args, env);
    open.push(t);
    return t;
  };
  const cli = (args: string[]) => runCommand(args, { env });
  return { terminal, cli };
}

/** Import `file` into the open namespace `namespace` through the menu, confirming `count` keys. */
async function importThrough(t: Terminal, namespace: string, file: string, count: string): Promise<void> {
  await t.choose(`Namespace '${namespace}':`, 'Import from a file');
  await t.answer('Import from file', file);
  await t.answer(`Import ${count} keys into '${namespace}'?`, 'y');
}

describe('kvadm manage on a terminal', () => {
  it('creates a namespace, adds, views, edits and deletes a key, then quits', async () => {
    const { terminal, cli } = sandbox();
    const t = terminal(['manage']);

    await t.choose('Namespaces on', 'Create a namespace');
    await t.answer('Name of the new namespace:', 'users');
    await t.expect("created namespace 'users'");

    await t.choose("Namespace 'users':", 'Put a new key');
    await t.answer('Key:', 'greeting');
    await t.answer('Value', 'hello world');
    await t.answer('Metadata as JSON', '{"lang":"en"}');
    await t.answer('Expire in', '1h');
    await t.expect("wrote 'greeting' (11 bytes) to 'users'");
    // The session wrote through the real store: the CLI sees it while manage still runs.
    expect((await cli(['kv', 'get', 'greeting', '-n', 'users'])).stdout).toBe('hello world');

    await t.choose("Namespace 'users':", 'Browse keys');
    await t.choose("Keys in 'users', page 1:", 'greeting');
    await t.expect('size:       11 bytes');
    await t.expect('expiration: ');
    await t.expect('metadata:   {"lang":"en"}');
    await t.expect('hello world');
    expect(t.text()).toMatch(/expiration: \d{4}-\d\d-\d\dT[\d:]+Z \(in (59m|1h)/);

    await t.choose("Key 'greeting':", 'Edit value in editor');
    await t.expect("saved 'greeting'");
    await t.expect('edited by the editor');
    const edited = await cli(['kv', 'get', 'greeting', '-n', 'users', '--with-metadata']);
    expect(JSON.parse(edited.stdout)).toMatchObject({ value: 'edited by the editor', metadata: { lang: 'en' } });
    expect(JSON.parse(edited.stdout).expiration).toBeGreaterThan(Date.now() / 1000 + 3000);

    await t.choose("Key 'greeting':", 'Delete key');
    await t.answer("Delete key 'greeting'?", 'y');
    await t.expect("deleted key 'greeting'");
    await t.expect("Keys in 'users', page 1:");
    await t.choose('(no keys)', 'Back');
    await t.choose("Namespace 'users':", 'Quit');
    expect(await t.exit()).toBe(0);

    expect((await cli(['kv', 'get', 'greeting', '-n', 'users'])).code).toBe(3);
    expect((await cli(['ns', 'list'])).stdout).toContain('users');
  });

  it('leaves with exit 130 on Ctrl-C at a prompt, without a stack trace or a half-made change', async () => {
    const { terminal, cli } = sandbox();
    const t = terminal(['manage']);
    await t.choose('Namespaces on', 'Create a namespace');
    await t.expect('Name of the new namespace:');
    t.write('half-typed');
    await t.expect('half-typed');
    t.write(keys.ctrlC);
    expect(await t.exit()).toBe(130);
    expect(t.text()).not.toMatch(/\n\s+at /);
    expect((await cli(['ns', 'list'])).stdout).not.toContain('half-typed');
  });

  it('pages through keys with a prefix filter, and exports and imports a namespace', async () => {
    const { terminal, cli } = sandbox();
    await cli(['ns', 'create', 'logs']);
    for (let i = 0; i < 25; i++) await cli(['kv', 'put', `a:${String(i).padStart(2, '0')}`, `value ${i}`, '-n', 'logs']);
    await cli(['kv', 'put', 'b:only', 'bee', '-n', 'logs']);
    const exported = path.join(tempDir('export'), 'logs.json');

    const t = terminal(['manage', '-n', 'logs']);
    await t.choose("Namespace 'logs':", 'Browse keys');
    await t.expect("Keys in 'logs', page 1:");
    await t.choose('a:19', 'Next page');
    await t.expect("Keys in 'logs', page 2:");
    await t.expect('a:24');
    await t.choose('b:only', 'Filter by prefix');
    await t.answer('Show keys starting with', 'b:');
    await t.expect('Keys in \'logs\' starting with "b:", page 1:');
    await t.choose('b:only', 'Back');

    await t.choose("Namespace 'logs':", 'Export to a file');
    await t.answer('Export to file', exported);
    await t.expect('exported 26 keys to');
    expect(t.text()).toContain("⠋ exporting 'logs'"); // the spinner, on a terminal
    const items = JSON.parse(fs.readFileSync(exported, 'utf8')) as Array<{ key: string; value: string }>;
    expect(items).toHaveLength(26);
    expect(items[25]).toEqual({ key: 'b:only', value: 'bee' });

    await cli(['ns', 'create', 'copy']);
    await t.choose("Namespace 'logs':", 'Back');
    await t.choose('Namespaces on', 'copy');
    await importThrough(t, 'copy', exported, '26');
    await t.expect("imported 26 keys into 'copy'");
    await t.choose("Namespace 'copy':", 'Quit');
    expect(await t.exit()).toBe(0);
    expect((await cli(['kv', 'get', 'a:07', '-n', 'copy'])).stdout).toBe('value 7');
  });

  it('exports and imports CSV and JSON Lines by extension, and reports a bad file and goes on', async () => {
    const { terminal, cli } = sandbox();
    await cli(['ns', 'create', 'src']);
    await cli(['kv', 'put', 'k1', 'one, "quoted"', '-n', 'src', '--metadata', '{"a":1}']);
    await cli(['kv', 'put', 'k2', 'two', '-n', 'src']);
    const dir = tempDir('manage-formats');
    const csv = path.join(dir, 'src.csv');
    const bad = path.join(dir, 'bad.jsonl');
    fs.writeFileSync(bad, '{"key":"fine","value":"v"}\n{"key":"","value":"v"}\n{"key":"late","value":"v","expiration":5}\n');

    const t = terminal(['manage', '-n', 'src']);
    await t.choose("Namespace 'src':", 'Export to a file');
    await t.answer('Export to file', path.join(dir, 'src.txt'));
    await t.expect('error: cannot tell the format of');
    await t.expect('hint: name the file .json, .jsonl (or .ndjson), .csv or .tsv');
    expect(fs.readdirSync(dir)).toEqual(['bad.jsonl']);

    await t.choose("Namespace 'src':", 'Export to a file');
    await t.answer('Export to file', csv);
    await t.expect(`exported 2 keys to ${csv} (csv)`);
    // What kvadm export writes, byte for byte.
    expect(fs.readFileSync(csv, 'utf8')).toBe((await cli(['export', '-n', 'src', '--format', 'csv'])).stdout);

    await t.choose("Namespace 'src':", 'Import from a file');
    await t.answer('Import from file', bad);
    await t.expect(`2 of 3 entries in ${bad} are invalid; nothing was written:`);
    await t.expect('entry 1 (line 2) key "": KEY_EMPTY');
    await t.expect('entry 2 (line 3) key "late": EXPIRATION_INVALID');
    // Still in the session; nothing was written.
    await t.choose("Namespace 'src':", 'Quit');
    expect(await t.exit()).toBe(0);
    expect((await cli(['kv', 'list', '-n', 'src'])).stdout).not.toContain('fine');

    // The CSV export imports into another namespace unchanged.
    await cli(['ns', 'create', 'dst']);
    const into = terminal(['manage', '-n', 'dst']);
    await importThrough(into, 'dst', csv, '2');
    await into.expect("imported 2 keys into 'dst'");
    await into.choose("Namespace 'dst':", 'Quit');
    expect(await into.exit()).toBe(0);
    const copied = await cli(['kv', 'get', 'k1', '-n', 'dst', '--with-metadata']);
    expect(JSON.parse(copied.stdout)).toMatchObject({ value: 'one, "quoted"', metadata: { a: 1 } });
  });

  it('leaves with exit 130 on Ctrl-C during an export or an import: no file, nothing imported', async () => {
    const { terminal, cli } = sandbox();
    const dir = tempDir('manage-ctrl-c');
    const input = path.join(dir, 'in.jsonl');
    let text = '';
    for (let i = 0; i < 300_000; i++) text += `{"key":"k${i}","value":"value number ${i}, padded to take a while to copy"}\n`;
    fs.writeFileSync(input, text);
    expect((await cli(['import', input, '-n', 'big', '--create-namespace'])).code).toBe(0);

    const exporting = terminal(['manage', '-n', 'big']);
    await exporting.choose("Namespace 'big':", 'Export to a file');
    await exporting.answer('Export to file', path.join(dir, 'out.json'));
    await exporting.expect("exporting 'big': "); // the first progress report
    exporting.write(keys.ctrlC);
    expect(await exporting.exit()).toBe(130);
    expect(exporting.text()).toContain('kvadm: error: interrupted');
    expect(fs.readdirSync(dir)).toEqual(['in.jsonl']); // no export, no temporary file

    await cli(['ns', 'create', 'empty']);
    const importing = terminal(['manage', '-n', 'empty']);
    await importThrough(importing, 'empty', input, '300,000');
    await importing.expect("importing into 'empty': ");
    importing.write(keys.ctrlC);
    expect(await importing.exit()).toBe(130);
    expect((await cli(['ns', 'info', 'empty'])).stdout).toMatch(/keys:\s+0\n/);
  });

  it('deletes a namespace only when its name is typed', async () => {
    const { terminal, cli } = sandbox();
    await cli(['ns', 'create', 'doomed']);
    const t = terminal(['manage']);
    await t.choose('Namespaces on', 'Delete a namespace');
    await t.choose('Delete which namespace?', 'doomed');
    await t.answer('Type its name to confirm:', 'wrong');
    await t.expect('nothing deleted');
    await t.choose('Namespaces on', 'doomed');
    await t.choose("Namespace 'doomed':", 'Delete this namespace');
    await t.answer('Type its name to confirm:', 'doomed');
    await t.expect("deleted namespace 'doomed'");
    await t.choose('Namespaces on', 'Quit');
    expect(await t.exit()).toBe(0);
    expect((await cli(['ns', 'list'])).stdout).not.toContain('doomed');
  });
});

describe('ns delete without a name', () => {
  it('offers the namespaces on a terminal', async () => {
    const { terminal, cli } = sandbox();
    await cli(['ns', 'create', 'alpha']);
    await cli(['ns', 'create', 'beta']);
    const t = terminal(['ns', 'delete']);
    await t.choose('Delete which namespace?', 'beta');
    await t.answer('Type "beta" to confirm', 'beta');
    expect(await t.exit()).toBe(0);
    const left = (await cli(['ns', 'list'])).stdout;
    expect(left).toContain('alpha');
    expect(left).not.toContain('beta');
  });
});

describe('config set without a value', () => {
  it('asks on a terminal, hiding the token', async () => {
    const { terminal, cli } = sandbox();
    const token = 'tok_typed_at_the_prompt_9876';
    const t = terminal(['config', 'set', 'token']);
    await t.answer('Value of token:', token);
    expect(await t.exit()).toBe(0);
    expect(t.text()).not.toContain(token);
    expect(t.text()).toContain('set token = ****9876');
    expect((await cli(['config', 'get', 'token', '--show-secrets'])).stdout).toBe(`${token}\n`);
  });
});

describe('without a terminal nothing waits for input', () => {
  it.each([
    [['manage'], 'needs a terminal'],
    [['ns', 'delete'], 'missing the namespace to delete'],
    [['ns', 'delete', 'default'], 'add --force'],
    [['config', 'set', 'url'], 'missing the value of url'],
  ])('kvadm %j exits 2 at once', async (args, message) => {
    // stdin is not a terminal: a prompt would fail differently (or wait), not name the fix.
    const result = await runCommand(args);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(message);
  });
});
