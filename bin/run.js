#!/usr/bin/env node
// Start-up. Global flags written before the command move behind it (oclif reads flags only
// after the command's name). Then the fast path (src/cli/dispatch.ts) runs the commands
// scripts call in loops without loading oclif, from oclif.manifest.json; whatever it
// declines goes to oclif. The fast path loads from dist/fast/, the same compiled modules
// bundled into a few files by the build (scripts/bundle-fast-path.js says why); after a
// build that stopped at tsc, dist/fast/ is missing and the same modules load from dist/cli/.
// KVADM_NO_FAST_PATH=1 sends everything to oclif (tests compare).
import { fileURLToPath } from 'node:url';

let fastPath = '../dist/fast/';
const manifestModule = await import(`${fastPath}manifest.js`).catch((error) => {
  if (error?.code !== 'ERR_MODULE_NOT_FOUND') throw error;
  fastPath = '../dist/cli/';
  return import(`${fastPath}manifest.js`);
});
const { readManifest, hoistGlobalFlags } = manifestModule;
const manifest = readManifest();
const argv = manifest ? hoistGlobalFlags(manifest, process.argv.slice(2)) : process.argv.slice(2);

if (manifest && !process.env.KVADM_NO_FAST_PATH) {
  const { dispatch } = await import(`${fastPath}dispatch.js`);
  const exitCode = await dispatch(manifest, argv);
  if (exitCode !== undefined) process.exit(exitCode);
}

const { execute } = await import('@oclif/core');
// userPlugins: false — kvadm installs no plugins, and oclif would otherwise read
// package.json from its data folder, which its env naming makes KVADM_DATA_DIR: kvadm's
// store (a warning on every command when that path is a file).
await execute({ args: argv, loadOptions: { root: fileURLToPath(import.meta.url), userPlugins: false } });
