/**
 * Editing a value in the user's editor ($VISUAL, then $EDITOR, then vi) through a
 * temporary file that only the user can read. Binary values are never opened: an
 * editor would corrupt them on save.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { utf8OrNull } from '../encoding.js';
import { UsageError } from '../errors.js';

export function editorCommand(env: NodeJS.ProcessEnv = process.env): string {
  return env.VISUAL || env.EDITOR || 'vi';
}

/** The value as text when an editor can safely open it, else null (binary). */
export function editableText(bytes: Uint8Array): string | null {
  const text = utf8OrNull(bytes);
  // NUL bytes are valid UTF-8 but no editor keeps them intact.
  return text === null || text.includes('\u0000') ? null : text;
}

/**
 * Open `text` in the editor and resolve to the saved text, or null when unchanged. The
 * editor runs through the shell so that EDITOR="code --wait" works.
 */
export function editText(text: string, key: string, env: NodeJS.ProcessEnv = process.env): string | null {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kvadm-edit-'));
  const extension = /^\.[A-Za-z0-9]{1,8}$/.test(path.extname(key)) ? path.extname(key) : '.txt';
  const file = path.join(dir, `value${extension}`);
  try {
    fs.writeFileSync(file, text, { mode: 0o600 });
    const editor = editorCommand(env);
    const result = spawnSync(`${editor} ${shellQuote(file)}`, { stdio: 'inherit', shell: true, env });
    if (result.error)
      throw new UsageError(`cannot start the editor ${JSON.stringify(editor)}: ${result.error.message}`, 'set VISUAL or EDITOR');
    if (result.status !== 0) {
      throw new UsageError(
        `the editor ${JSON.stringify(editor)} exited with status ${result.status ?? result.signal}; the value is unchanged`,
      );
    }
    const saved = fs.readFileSync(file, 'utf8');
    return saved === text ? null : saved;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

function shellQuote(text: string): string {
  return process.platform === 'win32' ? `"${text}"` : `'${text.replace(/'/g, `'\\''`)}'`;
}
