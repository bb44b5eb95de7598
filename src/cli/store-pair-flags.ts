/**
 * The SRC and DST arguments of diff, sync and copy, and the flags sync and copy share: oclif
 * declarations, read by the command classes and `oclif manifest`. Kept apart from the
 * runtime helpers in store-pair.ts because these load @oclif/core, which the fast path
 * (src/cli/dispatch.ts) runs these commands without.
 */
import { Args, Flags } from '@oclif/core';

export const storeArgs = {
  src: Args.string({ description: 'Source store: NAMESPACE, or PROFILE:NAMESPACE for a `kvadm config` profile.', required: true }),
  dst: Args.string({ description: 'Destination store: NAMESPACE, or PROFILE:NAMESPACE.', required: true }),
};

/** Flags that sync and copy share. */
export const createNamespaceFlag = Flags.boolean({ summary: 'Create DST if it does not exist (otherwise that is exit 3).' });
export const skipInvalidFlag = Flags.boolean({
  summary: 'Write the valid entries and leave out those DST would refuse (they are listed).',
});
