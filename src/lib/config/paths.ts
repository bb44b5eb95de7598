/** Per-user folders. Tests point these at temporary folders through the environment. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import envPaths from 'env-paths';
import { ExitCode, KvadmError } from '../errors.js';

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

const DATA_DIR_HINT =
  "point --data-dir (or KVADM_DATA_DIR, or the profile's data-dir) at a folder you can write; `kvadm config list --resolved` shows which one is set";

function dataDirError(dir: string, problem: string, cause?: unknown): KvadmError {
  return new KvadmError('DATA_DIR_UNUSABLE', `cannot use the data folder ${dir}: ${problem}`, {
    exitCode: ExitCode.usage,
    hint: DATA_DIR_HINT,
    details: { dataDir: dir },
    ...(cause === undefined ? {} : { cause }),
  });
}

function errnoCode(error: unknown): string {
  return (error as NodeJS.ErrnoException).code ?? (error as Error).message;
}

/** What is at `p`: a folder, something else, or nothing (null). */
function kindOf(p: string): 'folder' | 'other' | null {
  try {
    return fs.statSync(p).isDirectory() ? 'folder' : 'other';
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    // ENOTDIR: a parent on the way is a file, so nothing can exist here.
    if (code === 'ENOENT' || code === 'ENOTDIR') return null;
    throw error;
  }
}

/** kindOf, with a failure (EACCES on a parent, ELOOP) reported against the data folder. */
function lookAt(p: string, dataDir: string): 'folder' | 'other' | null {
  try {
    return kindOf(p);
  } catch (error) {
    throw dataDirError(dataDir, `cannot look at ${p} (${errnoCode(error)})`, error);
  }
}

function isWritable(folder: string): boolean {
  try {
    fs.accessSync(folder, fs.constants.W_OK | fs.constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * Refuse, at once, a data folder that cannot hold the store: a file, a folder kvadm may
 * not write, or a missing folder whose nearest existing parent is a file or not writable.
 * Without this a file given as the data folder reads as "namespace not found". Only
 * stats: nothing is created (the store is created on first write, by `makeFolder`).
 */
export function checkDataDir(dir: string, namespacesDir: string): void {
  const kind = lookAt(dir, dir);
  if (kind === 'other') throw dataDirError(dir, 'it is a file, not a folder');
  if (kind === 'folder') {
    if (!isWritable(dir)) throw dataDirError(dir, 'the folder is not writable');
    if (lookAt(namespacesDir, dir) === 'other') throw dataDirError(dir, `${namespacesDir} is a file, not a folder`);
    return;
  }
  let parent = path.dirname(dir);
  let parentKind = lookAt(parent, dir);
  while (parentKind === null && path.dirname(parent) !== parent) {
    parent = path.dirname(parent);
    parentKind = lookAt(parent, dir);
  }
  if (parentKind === 'other') throw dataDirError(dir, `it cannot be created because ${parent} is a file, not a folder`);
  if (!isWritable(parent)) throw dataDirError(dir, `it cannot be created because ${parent} is not writable`);
}

/**
 * Create `folder` and its missing parents under the data folder `dataDir`, one level at a
 * time. Not `mkdirSync(…, {recursive: true})`: in Node 20 that loops forever (100% CPU)
 * where mkdir answers ENOENT for an existing parent, as under /proc.
 */
export function makeFolder(folder: string, dataDir: string): void {
  const missing: string[] = [];
  for (let at = folder; lookAt(at, dataDir) === null; at = path.dirname(at)) {
    if (path.dirname(at) === at) break;
    missing.unshift(at);
  }
  for (const level of missing) {
    try {
      fs.mkdirSync(level);
    } catch (error) {
      // Another kvadm process may have created it meanwhile.
      if ((error as NodeJS.ErrnoException).code === 'EEXIST' && lookAt(level, dataDir) === 'folder') continue;
      throw dataDirError(dataDir, `cannot create ${level} (${errnoCode(error)})`, error);
    }
  }
}
