/** Building the backend the settings ask for. */
import type { Backend, Clock } from './backend.js';
import type { Settings } from '../settings.js';
import { UsageError } from '../errors.js';
import { LocalBackend } from './local.js';

export async function createBackend(settings: Settings, clock?: Clock): Promise<Backend> {
  if (settings.backend === 'http') {
    throw new UsageError('the http backend is not part of this build yet', 'use --backend local');
  }
  return new LocalBackend({ dataDir: settings.dataDir, ...(clock ? { clock } : {}) });
}
