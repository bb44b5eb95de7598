#!/usr/bin/env node
// `npm run bench`: runs every suite in bench/suites (or those named on the command line,
// e.g. `npm run bench -- latency import`) and prints their tables. Suites measure side
// by side in one run and quote medians and ratios: this machine is shared and noisy.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const wanted = process.argv.slice(2);
const suites = fs
  .readdirSync(path.join(here, 'suites'))
  .filter((file) => file.endsWith('.js'))
  .sort()
  .filter((file) => wanted.length === 0 || wanted.some((w) => file.includes(w)));

console.log(`kvadm bench — node ${process.version}, ${new Date().toISOString()}`);
for (const file of suites) {
  const suite = await import(path.join(here, 'suites', file));
  console.log(`\n## ${suite.title ?? file}\n`);
  await suite.run();
}
