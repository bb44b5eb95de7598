import { defineConfig } from 'vitest/config';

/**
 * Three tiers, so a test's cost shows in its path:
 * - test/unit: the library in process; no child process, no server.
 * - test/commands: commands run in process through oclif (test/run-command.ts) on a local
 *   store; flags, help, messages and exit codes without a process per command.
 * - test/integration: whatever spawns bin/run.js or starts `kvadm serve` (fast path, signals,
 *   terminals, several processes, the http backend against a real server).
 * `npm run test:unit` runs the first two (no build needed for unit; commands load dist/).
 */
const shared = {
  setupFiles: ['test/setup.ts'],
  pool: 'forks' as const,
  // A guard against a hang, not a measure: nothing here asserts on time.
  testTimeout: 120_000,
  hookTimeout: 120_000,
};

export default defineConfig({
  test: {
    // Three workers on two cores: most of the integration tier waits on child processes and
    // servers (a run with two workers kept the CPU only 110% busy): 186 s with 2, 129 s with 3.
    maxWorkers: 3,
    projects: [
      // The in-process tiers run their files one after another in each worker (isolate: false):
      // loading vitest, oclif and the library once per worker, not once per file, halves their
      // CPU time (33 s to 16 s). They start no process and mock nothing; setup.ts still gives
      // each file its own home and store, and the modules they share keep no state between
      // files that a test reads (test/backends.ts starts its targets afresh in every file).
      { test: { ...shared, name: 'unit', isolate: false, include: ['test/unit/**/*.test.ts'] } },
      { test: { ...shared, name: 'commands', isolate: false, include: ['test/commands/**/*.test.ts'] } },
      { test: { ...shared, name: 'integration', include: ['test/integration/**/*.test.ts'] } },
    ],
  },
});
