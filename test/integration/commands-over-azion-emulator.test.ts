/**
 * The in-process command suites of test/commands that depend on the store, run again with
 * the store behind `kvadm azion emulate` (the Azion bridge Function over Azion.KV's stand-in,
 * one per suite), as `--backend http` reaches a deployed bridge: the same stdout, messages
 * and exit codes whether the store is local, remote or on Azion. Their store-independent tests
 * (flag parsing, local files) run once, in test/commands.
 */
import { runStoreCommandSuitesOn } from './store-command-suites.js';

await runStoreCommandSuitesOn('azion-emulator');
