/** Moving data between stores: diff, sync and copy of namespaces, any backend to any backend. */
export { type StoreAddress, parseStoreAddress } from './address.js';
export { type Store, openStore, settingsOf } from './stores.js';
export { type DiffCounts, type DiffSummary, type KeyDifference, diffStores } from './diff.js';
export { type SyncPlan, type SyncSummary, syncStores } from './sync.js';
export { type CopySummary, copyStore } from './copy.js';
export type { RefusedEntry } from './apply.js';
export type { Difference } from './compare.js';
export { compareKeys } from '../cursor.js';
