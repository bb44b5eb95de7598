/**
 * `import 'kvadm/azion'`: installs `globalThis.Azion = { KV }` over the local store named by
 * kvadm's settings (KVADM_DATA_DIR, the active profile's data-dir, or the per-user folder),
 * so an Azion edge Function runs unchanged in Node. For another store, or to undo it, call
 * `installAzionRuntime` yourself (the runtime this import installed is `azionRuntime`).
 */
import { installAzionRuntime } from './runtime.js';

export const azionRuntime = installAzionRuntime();

export {
  type AzionGlobal,
  type AzionKVClass,
  type AzionRuntime,
  type AzionRuntimeOptions,
  createAzionKV,
  installAzionRuntime,
  settingsDataDir,
} from './runtime.js';
