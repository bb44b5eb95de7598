/**
 * Opening the two stores of a diff, sync or copy. An address without a profile uses the
 * command's settings (flags > environment > active profile); `PROFILE:` uses that
 * profile's stored values alone, so `prod:users` means the same store whatever
 * KVADM_* variables the shell happens to hold.
 */
import type { Backend } from '../backends/backend.js';
import { createBackend } from '../backends/index.js';
// Leaves, not config/index.js: diff, sync and copy run on the fast path, which loads no module it does not use (see config/index.ts).
import { configFilePath, profileNames, readConfigFile } from '../config/file.js';
import { type Settings, resolveSettings } from '../config/settings.js';
import { UsageError } from '../errors.js';
import type { StoreAddress } from './address.js';

export interface Store {
  backend: Backend;
  namespace: string;
  /** The address as given ("prod:users"), for messages. */
  label: string;
}

/** The settings a store address stands for. */
export function settingsOf(address: StoreAddress, commandSettings: Settings, env: NodeJS.ProcessEnv = process.env): Settings {
  if (address.profile === undefined) return commandSettings;
  const config = readConfigFile(configFilePath(env));
  const values = config?.profiles[address.profile];
  if (values === undefined && address.profile !== 'default') {
    throw new UsageError(
      `unknown profile ${JSON.stringify(address.profile)} in the store address ${JSON.stringify(address.text)}; profiles: ${profileNames(config).join(', ')}`,
      `create it with: kvadm config set --profile ${address.profile} KEY VALUE`,
      { profile: address.profile },
    );
  }
  return resolveSettings({ flags: {}, env: {}, profileValues: values ?? {}, profileName: address.profile }).settings;
}

/** A backend for the address (callers close it). */
export async function openStore(address: StoreAddress, commandSettings: Settings, env: NodeJS.ProcessEnv = process.env): Promise<Store> {
  const backend = await createBackend(settingsOf(address, commandSettings, env));
  return { backend, namespace: address.namespace, label: address.text };
}
