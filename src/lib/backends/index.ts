/** Building the backend the settings ask for. */
import type { Backend, Clock } from './backend.js';
import type { Settings } from '../settings.js';
import { UsageError } from '../errors.js';
import { LocalBackend } from './local.js';

export async function createBackend(settings: Settings, clock?: Clock): Promise<Backend> {
  if (settings.backend === 'http') {
    // Loaded only when used, so local commands do not pay for undici at start-up.
    const { HttpBackend } = await import('./http.js');
    return new HttpBackend({
      url: settings.url ?? '',
      token: settings.token,
      account: settings.account,
      ...retriesFromEnv(process.env.KVADM_HTTP_RETRIES),
    });
  }
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
