// The package as npm publishes it: `npm pack`, then installed into an empty folder, offline,
// from npm's cache. The installed `kvadm` bin writes and reads a key,
// `import { KV } from 'kvadm'` works in the consumer, and the Azion bridge's files are there.
//
// Offline needs a lockfile: npm 11's `npm install ./kvadm-*.tgz` resolves dependencies with
// full registry documents, which `npm ci` (how this repository installs) never caches. So the
// consumer gets the lockfile npm would write, derived from this repository's package-lock.json
// (the same versions the tests run on), and `npm ci --offline` installs exactly that tree.
//
// better-sqlite3 compiles from source on install when no prebuilt binary can be downloaded:
// `npm ci` took 379 s so (on 2 shared cores) against 12 s without the build. By default its
// install script is skipped (--ignore-scripts) and the binary this repository built is copied
// in, so the test takes seconds; set
// KVADM_PACK_TEST_BUILD=1 to let npm build it as a user's install does (the consumer then
// allows the script in package.json "allowScripts", which npm here requires).
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { expect, it } from 'vitest';
import { childEnv, repoRoot, tempDir } from '../helpers.js';

interface LockEntry {
  version?: string;
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  dev?: boolean;
  devOptional?: boolean;
  [field: string]: unknown;
}

const buildOnInstall = process.env.KVADM_PACK_TEST_BUILD === '1';

function run(command: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = {}) {
  const result = spawnSync(command, args, { cwd, env: childEnv(env), encoding: 'utf8', timeout: 600_000 });
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} exited ${result.status}:\n${result.stdout}\n${result.stderr}`);
  return result;
}

/** Where `name` resolves from the package at `from` (a lockfile path), as Node looks it up: nearest node_modules first. */
function resolveIn(packages: Record<string, LockEntry>, from: string, name: string): string | undefined {
  for (let at = from; ; at = at.includes('/node_modules/') ? at.slice(0, at.lastIndexOf('/node_modules/')) : '') {
    const candidate = `${at ? `${at}/` : ''}node_modules/${name}`;
    if (packages[candidate]) return candidate;
    if (at === '') return undefined;
  }
}

/** The lockfile of a project whose only dependency is the packed tarball. */
function consumerLock(tarball: string): unknown {
  const repoLock = JSON.parse(fs.readFileSync(path.join(repoRoot, 'package-lock.json'), 'utf8')) as {
    packages: Record<string, LockEntry>;
  };
  const manifest = JSON.parse(fs.readFileSync(path.join(repoRoot, 'package.json'), 'utf8'));
  const packages: Record<string, LockEntry> = {};
  const pending: Array<[string, string]> = Object.keys(manifest.dependencies).map((name) => ['', name]);
  while (pending.length > 0) {
    const [from, name] = pending.pop() as [string, string];
    const at = resolveIn(repoLock.packages, from, name);
    if (at === undefined || packages[at]) continue;
    const { dev: _dev, devOptional: _devOptional, ...entry } = repoLock.packages[at] as LockEntry;
    packages[at] = entry;
    for (const dep of Object.keys({ ...entry.dependencies, ...entry.optionalDependencies })) pending.push([at, dep]);
  }
  const integrity = `sha512-${createHash('sha512').update(fs.readFileSync(tarball)).digest('base64')}`;
  return {
    name: 'consumer',
    lockfileVersion: 3,
    requires: true,
    packages: {
      '': { name: 'consumer', dependencies: { kvadm: `file:${path.basename(tarball)}` } },
      'node_modules/kvadm': {
        version: manifest.version,
        resolved: `file:${path.basename(tarball)}`,
        integrity,
        license: manifest.license,
        dependencies: manifest.dependencies,
        bin: manifest.bin,
        engines: manifest.engines,
      },
      ...packages,
    },
  };
}

it('npm pack installs offline into an empty folder with a working kvadm bin and import { KV } from "kvadm"', {
  timeout: buildOnInstall ? 900_000 : 180_000,
}, () => {
  const project = tempDir('packed');
  run('npm', ['pack', '--ignore-scripts', '--pack-destination', project], repoRoot);
  const tarball = path.join(project, fs.readdirSync(project).find((file) => file.endsWith('.tgz')) as string);
  const consumer = {
    name: 'consumer',
    private: true,
    type: 'module',
    dependencies: { kvadm: `file:${path.basename(tarball)}` },
    ...(buildOnInstall ? { allowScripts: { 'better-sqlite3': true } } : {}),
  };
  fs.writeFileSync(path.join(project, 'package.json'), JSON.stringify(consumer, null, 2));
  fs.writeFileSync(path.join(project, 'package-lock.json'), JSON.stringify(consumerLock(tarball), null, 2));
  const started = Date.now();
  run('npm', ['ci', '--offline', '--no-audit', '--no-fund', ...(buildOnInstall ? [] : ['--ignore-scripts'])], project);
  const installMs = Date.now() - started;
  const binding = path.join('node_modules', 'better-sqlite3', 'build', 'Release', 'better_sqlite3.node');
  if (!buildOnInstall) {
    fs.mkdirSync(path.dirname(path.join(project, binding)), { recursive: true });
    fs.copyFileSync(path.join(repoRoot, binding), path.join(project, binding));
  }
  console.log(`npm ci --offline of the packed kvadm: ${installMs} ms${buildOnInstall ? ' (better-sqlite3 built on install)' : ''}`);

  // The tarball's own files, not a link back to this repository.
  expect(fs.lstatSync(path.join(project, 'node_modules', 'kvadm')).isSymbolicLink()).toBe(false);
  // What `kvadm azion bridge` writes out is in the package.
  for (const file of ['dist/lib/azion/bridge/bridge.js', 'dist/lib/azion/bridge/README.md']) {
    expect(fs.existsSync(path.join(project, 'node_modules', 'kvadm', file)), file).toBe(true);
  }
  const env = { KVADM_DATA_DIR: tempDir('packed-store'), KVADM_CONFIG_DIR: tempDir('packed-config') };
  const bin = path.join(project, 'node_modules', '.bin', 'kvadm');
  run(bin, ['kv', 'put', 'greeting', 'hello from the tarball'], project, env);
  expect(run(bin, ['kv', 'get', 'greeting'], project, env).stdout).toBe('hello from the tarball');

  const script = `
    import { KV, LocalBackend } from 'kvadm';
    import { azionRuntime } from 'kvadm/azion';
    const kv = new KV('default', { backend: new LocalBackend({ dataDir: process.env.KVADM_DATA_DIR }) });
    const azion = await new Azion.KV().get('greeting');
    console.log(JSON.stringify({ client: await kv.get('greeting'), azion }));
    await azionRuntime.uninstall();
  `;
  const imported = run(process.execPath, ['--input-type=module', '-e', script], project, env);
  expect(JSON.parse(imported.stdout)).toEqual({ client: 'hello from the tarball', azion: 'hello from the tarball' });
});
