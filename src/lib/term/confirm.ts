/**
 * Confirmation of destructive operations: asked on a TTY, `--force` otherwise. Without
 * a TTY nothing ever waits for input.
 */
import { UsageError } from '../errors.js';

export function interactive(): boolean {
  return Boolean(process.stdin.isTTY && process.stderr.isTTY);
}

/**
 * Resolve when the operation may go ahead; throw a UsageError (exit 2) when not
 * interactive and not forced. `typeToConfirm` asks the user to type a word (a name).
 */
export async function confirmDestructive(options: { action: string; force: boolean; typeToConfirm?: string }): Promise<boolean> {
  if (options.force) return true;
  if (!interactive()) {
    throw new UsageError(`refusing to ${options.action} without confirmation: not running on a terminal`, 'add --force to confirm');
  }
  const prompts = await import('@inquirer/prompts');
  const output = process.stderr;
  if (options.typeToConfirm !== undefined) {
    const expected = options.typeToConfirm;
    const typed = await prompts.input({ message: `This will ${options.action}. Type ${JSON.stringify(expected)} to confirm:` }, { output });
    return typed === expected;
  }
  return prompts.confirm({ message: `${capitalize(options.action)}?`, default: false }, { output });
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
