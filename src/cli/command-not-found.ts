/**
 * oclif's `command_not_found` hook for kvadm (registered in package.json). An unknown
 * command is a usage error like any other: exit 2, kvadm's one error format, and the
 * closest command as a hint. It never prompts: @oclif/plugin-not-found, which this
 * replaces, offered to run its guess on a terminal (a typo of `kv delete` would then
 * delete) and printed no suggestion at all off one, exiting 127.
 */
import { type Hook, toConfiguredId } from '@oclif/core';
import { ExitCode, UsageError } from '../lib/errors.js';
import { reportError } from './report-error.js';

const hook: Hook<'command_not_found'> = async function (options) {
  const { config, id } = options;
  const visible = config.commands.filter((command) => !command.hidden);
  const candidates = [...visible.map((command) => command.id), ...visible.flatMap((command) => command.aliases)];
  const topic = id.split(':')[0] ?? '';
  const help = config.findTopic(topic) ? `${config.bin} help ${toConfiguredId(topic, config)}` : `${config.bin} help`;
  // `kvadm --bogus` is a flag where a command belongs: no command is close to it.
  const suggestion = id.startsWith('-') ? undefined : closest(id, candidates);
  const error = new UsageError(
    `${JSON.stringify(toConfiguredId(id, config))} is not a ${config.bin} command`,
    suggestion === undefined
      ? `run ${help} for the list of commands`
      : `did you mean ${config.bin} ${toConfiguredId(suggestion, config)}? Run ${help} for the list of commands`,
  );
  reportError(error, options.argv?.includes('--json') ?? false);
  this.exit(ExitCode.usage);
};

export default hook;

/** The candidate with the fewest single-character edits from `typed`. */
function closest(typed: string, candidates: string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const candidate of candidates) {
    const distance = editDistance(typed, candidate);
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best;
}

/** Levenshtein distance, one row at a time. */
function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = (previous[j - 1] as number) + (a[i - 1] === b[j - 1] ? 0 : 1);
      current[j] = Math.min((previous[j] as number) + 1, (current[j - 1] as number) + 1, substitution);
    }
    previous = current;
  }
  return previous[b.length] as number;
}
