/**
 * The bridge as shipped: bridge.js (tsc's output of bridge.ts, one self-contained ES module)
 * and README.md (copied into dist by the build), read from beside this module.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { UsageError } from '../../errors.js';

export const BRIDGE_FILES = ['bridge.js', 'README.md'] as const;

export interface WrittenBridge {
  /** The folder written to. */
  dir: string;
  files: string[];
}

const here = path.dirname(fileURLToPath(import.meta.url));

/** Write bridge.js and README.md into `dir` (created when missing); existing files only with `overwrite`. */
export async function writeBridge(dir: string, options: { overwrite?: boolean } = {}): Promise<WrittenBridge> {
  const target = path.resolve(dir);
  await fs.mkdir(target, { recursive: true });
  const files: string[] = [];
  for (const name of BRIDGE_FILES) {
    const source = path.join(here, name);
    const destination = path.join(target, name);
    try {
      await fs.copyFile(source, destination, options.overwrite ? 0 : fs.constants.COPYFILE_EXCL);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'EEXIST')
        throw new UsageError(`${destination} already exists`, 'choose another --out folder, or give --force to replace it');
      if (code === 'ENOENT' && (error as NodeJS.ErrnoException).path === source) {
        throw new UsageError(
          `the bridge source ${source} is missing from this installation`,
          'rebuild kvadm (npm run build) or reinstall it',
        );
      }
      throw error;
    }
    files.push(destination);
  }
  return { dir: target, files };
}
