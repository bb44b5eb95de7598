#!/usr/bin/env node
// `kv get` is what scripts call in loops: try its fast path first, which does not load
// oclif (see src/cli/fast-kv-get.ts); it declines anything but a plain invocation.
// KVADM_NO_FAST_PATH=1 turns it off (tests compare both paths).
const argv = process.argv.slice(2);
if (argv[0] === 'kv' && argv[1] === 'get' && !process.env.KVADM_NO_FAST_PATH) {
  const { fastKvGet } = await import('../dist/cli/fast-kv-get.js');
  const exitCode = await fastKvGet(argv.slice(2));
  if (exitCode !== undefined) process.exit(exitCode);
}

const { execute } = await import('@oclif/core');
await execute({ dir: import.meta.url });
