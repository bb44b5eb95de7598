/**
 * The in-process command suites of test/commands whose outcome depends on the store, loaded
 * again for other targets (commands-over-http, commands-over-azion-emulator).
 */
import { type BackendTarget, runCommandSuitesOn } from '../backends.js';

export async function runStoreCommandSuitesOn(target: BackendTarget['name']): Promise<void> {
  runCommandSuitesOn([target]);
  await import('../commands/kv/put.test.js');
  await import('../commands/kv/get.test.js');
  await import('../commands/kv/list.test.js');
  await import('../commands/kv/delete.test.js');
  await import('../commands/kv/namespace-selection.test.js');
  await import('../commands/ns.test.js');
}
