/** Per-user folders. Tests point these at temporary folders through the environment. */
import os from 'node:os';
import path from 'node:path';
import envPaths from 'env-paths';

const appPaths = () => envPaths('kvadm', { suffix: '' });

/** Where the local store lives unless --data-dir or KVADM_DATA_DIR says otherwise. */
export function defaultDataDir(env: NodeJS.ProcessEnv = process.env): string {
  return env.KVADM_DATA_DIR || appPaths().data;
}

/** Where the config file lives unless KVADM_CONFIG_DIR says otherwise. */
export function defaultConfigDir(env: NodeJS.ProcessEnv = process.env): string {
  return env.KVADM_CONFIG_DIR || appPaths().config;
}

export function expandHome(p: string): string {
  return p === '~' || p.startsWith('~/') ? path.join(os.homedir(), p.slice(1)) : p;
}
