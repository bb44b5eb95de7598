#!/usr/bin/env node
// Development entry: runs the compiled commands without the manifest cache.
import { execute } from '@oclif/core';

await execute({ development: true, dir: import.meta.url });
