#!/usr/bin/env node
// Development entry: runs the compiled commands without the manifest cache (and without the
// fast path, so every command goes through oclif). As in bin/run.js, oclif gets no user
// plugins: it would read package.json from KVADM_DATA_DIR, kvadm's store.
import { fileURLToPath } from 'node:url';
import { execute } from '@oclif/core';

await execute({ development: true, loadOptions: { root: fileURLToPath(import.meta.url), userPlugins: false } });
