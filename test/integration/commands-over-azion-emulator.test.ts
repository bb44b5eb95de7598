/**
 * The in-process command suites of test/commands that depend on the store, run again with
 * the store behind `kvadm azion emulate` (the Azion bridge Function over Azion.KV's stand-in,
 * one per suite), as `--backend http` reaches a deployed bridge: the same stdout, messages
 * and exit codes whether the store is local, remote or on Azion. Their store-independent tests
 * (flag parsing, local files) run once, in test/commands.
 */
import { runCommandSuitesOn } from '../backends.js';

runCommandSuitesOn(['azion-emulator']);
await import('../commands/kv/put.test.js');
await import('../commands/kv/get.test.js');
await import('../commands/kv/list.test.js');
await import('../commands/kv/delete.test.js');
await import('../commands/kv/namespace-selection.test.js');
await import('../commands/ns.test.js');
