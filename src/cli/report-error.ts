/**
 * The one exit policy: a KvadmError prints its message and hint and exits with its
 * code; oclif's parse errors are usage errors (2); inquirer's Ctrl-C is 130; anything
 * else is a bug (1), with the stack only when DEBUG is set. Free of oclif imports so the
 * fast `kv get` path can use it too.
 */
import { ExitCode, isKvadmError } from '../lib/errors.js';
// The leaf, not term/index.js: this file is on the fast path, which loads no module it does not use (see term/index.ts).
import { useColor } from '../lib/term/output.js';

export function reportError(error: Error & { oclif?: { exit?: number }; code?: unknown }, json: boolean): number {
  // The reader of stdout went away (`kvadm kv list --all | head`): it has what it wanted.
  if (error.code === 'EPIPE') return ExitCode.ok;
  let exitCode: number;
  let payload: Record<string, unknown>;
  if (isKvadmError(error)) {
    exitCode = error.exitCode;
    payload = error.toJSON();
  } else if (error.name === 'ExitPromptError' || error.name === 'AbortPromptError') {
    exitCode = ExitCode.interrupted;
    payload = { code: 'INTERRUPTED', message: 'interrupted' };
  } else if (error.oclif !== undefined) {
    // Flag and argument parsing errors from oclif.
    exitCode = ExitCode.usage;
    payload = { code: 'USAGE', message: oclifMessage(error.message), hint: 'see --help for the usage' };
  } else {
    exitCode = ExitCode.failure;
    payload = { code: 'UNEXPECTED', message: error.message, hint: 'this is a bug in kvadm; rerun with DEBUG=1 for details' };
  }
  if (json) {
    process.stderr.write(`${JSON.stringify({ error: payload })}\n`);
  } else {
    const label = useColor() ? '\u001b[31merror:\u001b[39m' : 'error:';
    let text = `kvadm: ${label} ${payload.message as string}\n`;
    if (payload.hint) text += `  hint: ${payload.hint as string}\n`;
    process.stderr.write(text);
  }
  if (process.env.DEBUG && error.stack) process.stderr.write(`${error.stack}\n`);
  return exitCode;
}

/**
 * oclif's parse errors as one line: without colours, tabs or its own "See more help with
 * --help" (our hint says that), and with its "Parsing --flag" preamble folded into the reason:
 * "Parsing --limit \n\tExpected an integer but received: x" → "--limit: expected an integer but received: x".
 */
export function oclifMessage(message: string): string {
  const lines = stripAnsi(message)
    .split('\n')
    .map((line) => line.replace(/\t/g, ' ').trim())
    .filter((line) => line !== '' && line !== 'See more help with --help' && line !== 'The following error occurred:')
    // oclif lists missing arguments as "name  description".
    .map((line) => line.replace(/^(\S+) {2,}(.+?)\.?$/, '$1 ($2)'));
  let text = '';
  for (const line of lines) {
    if (text === '') text = line;
    else if (/^Parsing --\S+$/.test(text)) text = `${text.slice('Parsing '.length)}: ${lowerFirst(line)}`;
    else text += text.endsWith(':') ? ` ${line}` : `; ${line}`;
  }
  return text.replace(/ {2,}/g, ' ');
}

function lowerFirst(text: string): string {
  return text.charAt(0).toLowerCase() + text.slice(1);
}

function stripAnsi(text: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: ANSI escapes are control characters
  return text.replace(/\u001b\[[0-9;]*m/g, '');
}
