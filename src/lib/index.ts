/**
 * kvadm as a library (`import { KV } from 'kvadm'`): the KV client with the seed's runtime
 * API, the backends (local, http, azion), the errors with their exit codes, and the limits.
 * Everything the CLI does goes through these same pieces. `import 'kvadm/azion'`
 * (src/lib/azion/index.ts) installs `globalThis.Azion` for edge Functions run in Node.
 */
export {
  KV,
  type GetOptions,
  type KVEntry,
  type KVOptions,
  type KeyInfo,
  type ListKeysOptions,
  type ListResult,
  type NamespaceInfo,
  type PutOptions,
  type PutValue,
  type SyncPutValue,
  type ValueType,
  type ValueWithMetadata,
} from './kv.js';
export type { Backend, BulkWriter, Clock, StoredEntry } from './backends/backend.js';
export { createBackend } from './backends/index.js';
export { LocalBackend } from './backends/local.js';
export { HttpBackend } from './backends/http.js';
export { AzionBackend, BridgeRequiredError } from './backends/azion.js';
export { AzionRestClient } from './azion/rest-client.js';
export type { AzionNamespace } from './azion/rest-types.js';
export {
  AuthError,
  ExitCode,
  InterruptedError,
  KeyNotFoundError,
  KvadmError,
  NamespaceExistsError,
  NamespaceNotFoundError,
  RemoteError,
  UnreachableError,
  UsageError,
  ValidationError,
  isKvadmError,
} from './errors.js';
export { AZION_LIMITS, DEFAULT_NAMESPACE, LIMITS } from './limits.js';
