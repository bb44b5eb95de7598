/**
 * The backends every behaviour suite runs against. A suite written with
 * `forEachBackend` runs once per target; each target provides a Backend for library
 * tests and the environment that points the CLI binary at the same store.
 */
import { afterAll, beforeAll, describe } from 'vitest';
import type { Backend } from '../src/lib/backends/backend.js';
import { LocalBackend } from '../src/lib/backends/local.js';
import { tempDir } from './helpers.js';

export interface BackendTarget {
  name: 'local' | 'http';
  /** A fresh backend on this target's store (callers close it). */
  createBackend(options?: { clock?: () => number }): Promise<Backend>;
  /** Environment for runCli so the binary uses this target's store. */
  env(): NodeJS.ProcessEnv;
  /** Start what the target needs (a server); called once per suite. */
  setup(): Promise<void>;
  teardown(): Promise<void>;
}

function localTarget(): BackendTarget {
  let dataDir = '';
  return {
    name: 'local',
    async setup() {
      dataDir = tempDir('store');
    },
    async teardown() {},
    async createBackend(options = {}) {
      return new LocalBackend({ dataDir, ...(options.clock ? { clock: options.clock } : {}) });
    },
    env() {
      return { KVADM_BACKEND: 'local', KVADM_DATA_DIR: dataDir };
    },
  };
}

/** Targets by name; the HTTP target is registered by the HTTP backend's test support. */
const targetFactories: Array<() => BackendTarget> = [localTarget];

export function registerTarget(factory: () => BackendTarget): void {
  targetFactories.push(factory);
}

/** Run `suite` once per backend target, inside a describe named after it. */
export function forEachBackend(title: string, suite: (target: BackendTarget) => void): void {
  for (const factory of targetFactories) {
    const target = factory();
    describe(`${title} [${target.name}]`, () => {
      beforeAll(() => target.setup());
      afterAll(() => target.teardown());
      suite(target);
    });
  }
}
