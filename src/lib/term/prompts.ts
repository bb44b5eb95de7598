/** Asking for what a command is missing, on a terminal only (see confirm.ts for confirmations). */
import { interactive } from './confirm.js';

/**
 * Let the user pick one of `choices` on a terminal; resolves to undefined when not
 * interactive (the caller then reports the missing argument) or when there is nothing to pick.
 */
export async function chooseOne(message: string, choices: string[]): Promise<string | undefined> {
  if (!interactive() || choices.length === 0) return undefined;
  const { select } = await import('@inquirer/prompts');
  return select(
    { message, choices: choices.map((value) => ({ name: value, value })), pageSize: 15, loop: false },
    { output: process.stderr },
  );
}
