/**
 * The in-process command suites of test/commands that depend on the store, run again with
 * the store behind a real `kvadm serve` (one server per suite): the same stdout, messages
 * and exit codes whether the store is local or remote. Their store-independent tests
 * (flag parsing, local files) run once, in test/commands.
 */
import { runStoreCommandSuitesOn } from './store-command-suites.js';

await runStoreCommandSuitesOn('http');
