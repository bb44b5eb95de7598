/** Building the backend the settings ask for. */
import type { Backend, Clock } from './backend.js';
import type { Settings } from '../config/index.js';
import { UsageError } from '../errors.js';

export async function createBackend(settings: Settings, clock?: Clock): Promise<Backend> {
  // Each backend is loaded only when used: local commands do not load the HTTP transport,
  // and remote ones not SQLite (local.js loads better-sqlite3 on first open).
  if (settings.backend === 'http') {
    const { HttpBackend } = await import('./http.js');
    return new HttpBackend({
      url: settings.url ?? '',
      token: settings.token,
      account: settings.account,
      ...retriesFromEnv(process.env.KVADM_HTTP_RETRIES),
    });
  }
  if (settings.backend === 'azion') {
    const { AzionBackend, AZION_BRIDGE_SETTINGS } = await import('./azion.js');
    let bridge: Backend | undefined;
    if (settings.azionBridgeUrl) {
      const { HttpBackend } = await import('./http.js');
      // The bridge speaks kvadm's Cloudflare-shaped protocol: the HTTP backend is its client.
      bridge = new HttpBackend({
        url: settings.azionBridgeUrl,
        token: settings.azionBridgeToken,
        account: settings.account,
        settingNames: AZION_BRIDGE_SETTINGS,
        ...retriesFromEnv(process.env.KVADM_HTTP_RETRIES),
      });
    }
    return new AzionBackend({
      apiUrl: settings.azionApiUrl,
      token: settings.azionToken,
      bridge,
      ...retriesFromEnv(process.env.KVADM_HTTP_RETRIES),
    });
  }
  const { LocalBackend } = await import('./local.js');
  return new LocalBackend({ dataDir: settings.dataDir, ...(clock ? { clock } : {}) });
}

/** KVADM_HTTP_RETRIES: retries after the first attempt (default 4). */
function retriesFromEnv(value: string | undefined): { retries?: number } {
  if (value === undefined || value === '') return {};
  if (!/^\d+$/.test(value) || Number(value) > 20) {
    throw new UsageError(`invalid KVADM_HTTP_RETRIES ${JSON.stringify(value)}`, 'give a whole number from 0 to 20');
  }
  return { retries: Number(value) };
}
