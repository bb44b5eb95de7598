// Every test file gets its own HOME, data and config folders: tests never touch the
// real home folder, and child processes (the CLI binary) inherit these.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'kvadm-test-'));
process.env.HOME = path.join(root, 'home');
process.env.XDG_DATA_HOME = path.join(root, 'xdg-data');
process.env.XDG_CONFIG_HOME = path.join(root, 'xdg-config');
process.env.KVADM_DATA_DIR = path.join(root, 'data');
process.env.KVADM_CONFIG_DIR = path.join(root, 'config');
for (const name of [
  'KVADM_BACKEND',
  'KVADM_URL',
  'KVADM_TOKEN',
  'KVADM_ACCOUNT',
  'KVADM_NAMESPACE',
  'KVADM_PROFILE',
  'KVADM_AZION_TOKEN',
  'KVADM_AZION_API_URL',
  'KVADM_AZION_BRIDGE_URL',
  'KVADM_AZION_BRIDGE_TOKEN',
  'NO_COLOR',
  'DEBUG',
]) {
  delete process.env[name];
}
fs.mkdirSync(process.env.HOME, { recursive: true });
