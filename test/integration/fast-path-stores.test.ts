// The fast path's parity with oclif for export, diff, sync and copy (the table and the
// procedure are in fast-path-parity.ts): a file of its own so it runs beside fast-path.test.ts.
import { defineParityTests, isStoreCase } from './fast-path-parity.js';

defineParityTests('export, diff, sync and copy', isStoreCase);
