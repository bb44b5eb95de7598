/**
 * The backends every behaviour suite runs against. A suite written with
 * `forEachBackend` runs once per target; each target provides a Backend for library
 * tests and the environment that points the CLI binary at the same store.
 */
import { afterAll, beforeAll, describe } from 'vitest';
import type { Backend } from '../src/lib/backends/backend.js';
import { HttpBackend } from '../src/lib/backends/http.js';
import { LocalBackend } from '../src/lib/backends/local.js';
import { tempDir } from './helpers.js';
import { type ServeProcess, startServe } from './serve-process.js';

/**
 * What a target may lack. Azion's runtime has no key listing (the bridge keeps an index),
 * cannot rename namespaces, and takes only its own namespace names.
 */
export type Capability = 'namespace-rename' | 'short-namespace-names' | 'atomic-bulk';

export interface BackendTarget {
  name: 'local' | 'http' | 'azion-emulator';
  /** False when the target cannot do what `capability` names; tests skip those cases for it. */
  supports(capability: Capability): boolean;
  /**
   * True when the `clock` given to createBackend decides expiry. The http target's server
   * runs with the hidden --test-clock-header flag, so its backend sends that clock along.
   */
  clockControl: boolean;
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
    supports: () => true,
    clockControl: true,
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

/**
 * The HTTP backend talking to a server the target starts with a token, the test clock header
 * on and port 0: `kvadm serve` over a local store, or `kvadm azion emulate` (the bridge edge
 * Function's own handler in Node, over a local store standing in for Azion KV).
 */
function remoteTarget(
  name: 'http' | 'azion-emulator',
  server: { command: string[]; args: string[] },
  unsupported: Capability[],
): () => BackendTarget {
  return () => {
    let running: ServeProcess | undefined;
    const token = `${name}-${process.pid}-${Date.now()}`;
    const url = (): string => {
      if (!running) throw new Error(`the ${name} target is not set up`);
      return running.url;
    };
    return {
      name,
      supports: (capability) => !unsupported.includes(capability),
      clockControl: true,
      async setup() {
        running = await startServe([...server.args, '--quiet', '--test-clock-header'], {
          command: server.command,
          env: { KVADM_TOKEN: token },
        });
      },
      async teardown() {
        await running?.stop();
        running = undefined;
      },
      async createBackend(options = {}) {
        return new HttpBackend({ url: url(), token, retries: 2, ...(options.clock ? { testClock: options.clock } : {}) });
      },
      env() {
        return { KVADM_BACKEND: 'http', KVADM_URL: url(), KVADM_TOKEN: token, KVADM_HTTP_RETRIES: '2' };
      },
    };
  };
}

const httpTarget = remoteTarget('http', { command: ['serve'], args: ['--no-write-limit'] }, ['atomic-bulk']);
const azionEmulatorTarget = remoteTarget('azion-emulator', { command: ['azion', 'emulate'], args: [] }, [
  'namespace-rename',
  'short-namespace-names',
  'atomic-bulk',
]);

/**
 * Every suite written with forEachBackend runs against each of these. KVADM_TEST_TARGETS
 * (comma-separated names, e.g. "local,http") runs only those: the azion-emulator target
 * roughly doubles the remote suites' time.
 */
const chosenTargets = process.env.KVADM_TEST_TARGETS?.split(',').map((name) => name.trim());
const targetFactories: Array<() => BackendTarget> = [localTarget, httpTarget, azionEmulatorTarget].filter(
  (factory) => !chosenTargets || chosenTargets.includes(factory().name),
);

/**
 * One target of each kind per test file, shared by the file's suites on it: a server starts
 * with the first suite that needs it and stops after the file (or the describe the suites are
 * in), so a file with three suites starts one `kvadm serve`, not three. The suites share its
 * store: each test writes its own namespaces (the local target too shares one data folder).
 * Where files share a process (test/unit and test/commands: vitest.config.ts), the next file
 * starts the target afresh: every call below registers the teardown in its own file.
 */
const shared = new Map<BackendTarget['name'], BackendTarget>();

function sharedTarget(factory: () => BackendTarget): BackendTarget {
  const made = factory();
  const known = shared.get(made.name);
  if (known) return known;
  let started: Promise<void> | undefined;
  const target: BackendTarget = {
    ...made,
    setup: () => {
      started ??= made.setup();
      return started;
    },
    async teardown() {
      if (started === undefined) return;
      started = undefined;
      await made.teardown();
    },
  };
  shared.set(made.name, target);
  return target;
}

/** Run `suite` once per backend target, inside a describe named after it. */
export function forEachBackend(
  title: string,
  suite: (target: BackendTarget) => void,
  options: { only?: ReadonlyArray<BackendTarget['name']> } = {},
): void {
  for (const factory of targetFactories) {
    const name = factory().name;
    // `only`: a suite about the client alone, for which two servers speaking the same protocol are one case.
    if (options.only === undefined || options.only.includes(name)) describeOn(sharedTarget(factory), title, suite);
  }
}

function describeOn(target: BackendTarget, title: string, suite: (target: BackendTarget) => void): void {
  // At the caller's level (the file, for a suite called at its top): idempotent, so once per call is fine.
  afterAll(() => target.teardown());
  describe(`${title} [${target.name}]`, () => {
    beforeAll(() => target.setup());
    suite(target);
  });
}

/**
 * The targets of the in-process command suites (test/commands): the local store, so that
 * tier starts no server. test/integration/commands-over-http.test.ts imports those suites
 * after choosing the http target, and so runs the same tests against `kvadm serve`.
 */
let commandTargetNames: ReadonlyArray<BackendTarget['name']> = ['local'];

export function runCommandSuitesOn(names: ReadonlyArray<BackendTarget['name']>): void {
  commandTargetNames = names;
}

/** True where a command suite's store-independent tests run: once, on the local store. */
export function commandSuitesOnLocal(): boolean {
  return commandTargetNames.includes('local');
}

/** forEachBackend for test/commands: the chosen command targets only (see above). */
export function forEachCommandTarget(title: string, suite: (target: BackendTarget) => void): void {
  for (const factory of targetFactories) {
    if (commandTargetNames.includes(factory().name)) describeOn(sharedTarget(factory), title, suite);
  }
}
