// bin/run.js runs kv get, kv put, kv list, kv delete, ns list, import, export, diff, sync and
// copy without loading oclif (src/cli/dispatch.ts), declining to oclif whatever it does not
// reproduce. This file: the parity of the kv and ns commands and import (the table is in
// fast-path-parity.ts; export, diff, sync and copy are in fast-path-stores.test.ts; what each
// fast command loads is in fast-path-loads.test.ts): three files, run in parallel workers.
import { defineParityTests, isStoreCase } from './fast-path-parity.js';

defineParityTests('kv, ns and import', (testCase) => !isStoreCase(testCase));
