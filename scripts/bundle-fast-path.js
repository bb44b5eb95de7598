// Build step after tsc: the fast path (dist/cli/manifest.js, dist/cli/dispatch.js and every
// module they reach, the actions included) bundled into a few ES modules in dist/fast/,
// which bin/run.js loads.
//
// Why: Node 20 resolves, reads, compiles and links each ES module on its own, and wraps
// every `node:` import in a facade that loads all of that builtin's exports. For `kv get`
// that was about 25 dist modules and a tenth of a second of start-up; bundled, the fast
// commands load a handful of files (bench/suites/10-latency.js measures it). The code is
// tsc's output, unchanged: esbuild only joins files. Dynamic imports stay dynamic (code
// splitting), so a command still loads only what it uses: the http backend never loads
// better-sqlite3, `kv get` never loads the import engine.
//
// dist/fast/ sits two folders deep like dist/cli/, so the one relative file reference on
// the fast path (manifest.ts: ../../oclif.manifest.json) resolves as before. Any other use
// of import.meta in a bundled module fails the build, because its meaning would change.
//
// `--check` builds in memory and compares with dist/fast/ instead of writing: exit 1, with
// the files that differ, when the bundle is not what the compiled modules make now (the
// test suite runs it, so a build that stopped at tsc is caught).
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const dist = path.join(root, 'dist');
const outdir = path.join(dist, 'fast');

/** Modules whose import.meta use means the same from dist/fast/ (same depth, or only to resolve packages). */
const IMPORT_META_ALLOWED = new Set(['cli/manifest.js', 'lib/backends/local.js', 'lib/lazy-builtins.js']);

const checkImportMeta = {
  name: 'check-import-meta',
  setup(bundle) {
    bundle.onLoad({ filter: /\.js$/ }, (args) => {
      // Forward slashes on every platform, to match the names listed above.
      const relative = path.relative(dist, args.path).split(path.sep).join('/');
      if (relative.startsWith('..')) return undefined;
      const source = fs.readFileSync(args.path, 'utf8');
      if (source.includes('import.meta') && !IMPORT_META_ALLOWED.has(relative)) {
        return {
          errors: [
            {
              text: `${relative} uses import.meta, whose URL changes when bundled into dist/fast/; keep it off the fast path or list it in IMPORT_META_ALLOWED after checking it`,
            },
          ],
        };
      }
      return { contents: source, loader: 'js' };
    });
  },
};

const checkOnly = process.argv.includes('--check');
if (!checkOnly) fs.rmSync(outdir, { recursive: true, force: true });
const result = await build({
  entryPoints: { manifest: path.join(dist, 'cli/manifest.js'), dispatch: path.join(dist, 'cli/dispatch.js') },
  outdir,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  // Packages stay where npm put them: better-sqlite3 is native, and loading any package
  // from node_modules keeps its own relative files and version.
  packages: 'external',
  chunkNames: 'chunk-[hash]',
  logLevel: 'warning',
  plugins: [checkImportMeta],
  write: !checkOnly,
});

if (checkOnly) {
  const built = new Map(result.outputFiles.map((file) => [path.relative(outdir, file.path), file.text]));
  const onDisk = fs.existsSync(outdir) ? fs.readdirSync(outdir) : [];
  const differing = [
    ...[...built]
      .filter(([name, text]) => !onDisk.includes(name) || fs.readFileSync(path.join(outdir, name), 'utf8') !== text)
      .map(([name]) => name),
    ...onDisk.filter((name) => !built.has(name)),
  ];
  if (differing.length > 0) {
    const named = differing.slice(0, 3).join(', ') + (differing.length > 3 ? ` and ${differing.length - 3} more` : '');
    console.error(`dist/fast/ is not what the compiled modules make now (${named} differ): run npm run build`);
    process.exit(1);
  }
}
