// Bundles the command line (after `tsc -b`) into bundle/: bin.js and the two worker-thread
// entries, batchWorker.js (from @lossflow/arrow) and lossTask.js (from @lossflow/rx), sharing
// chunks. Why: Node resolves and compiles ESM module by module, and apache-arrow + RxJS are
// hundreds of files; bundled, `lossflow eval` starts in about a third of the time. The entries
// keep their names side by side, so `new URL('./batchWorker.js', import.meta.url)` and
// `new URL('./lossTask.js', import.meta.url)` still find them; bundle/ sits next to package.json,
// so `new URL('../package.json', import.meta.url)` does too. parquet-wasm loads its .wasm file
// from its own folder, so it stays a runtime dependency, required where it is installed.

import { rmSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { barrelImports } from './barrelImports.mjs';
import { dropUnusedRequireBanners, REQUIRE_BANNER } from './requireBanner.mjs';
import { thirdPartyNotices } from './thirdPartyNotices.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));

/** The file an `exports` entry of a dependency names, resolved as the command line imports it. */
function exported(specifier) {
  return fileURLToPath(import.meta.resolve(specifier));
}

/** RxJS's `node` export is its CommonJS build, which cannot be tree-shaken: take the ES2015 modules. */
const rxjsModules = {
  name: 'rxjs-esm',
  setup(b) {
    b.onResolve({ filter: /^rxjs$/ }, async (args) => {
      if (args.pluginData === 'rxjs-esm') return undefined;
      const found = await b.resolve(args.path, {
        kind: args.kind,
        resolveDir: args.resolveDir,
        importer: args.importer,
        pluginData: 'rxjs-esm',
      });
      if (found.errors.length > 0) return { errors: found.errors };
      return { path: found.path.replace(/([/\\])dist\1cjs\1/, '$1dist$1esm$1') };
    });
  },
};

/**
 * Third-party code is mapped to the JavaScript its package ships, not through that package's own
 * source maps: apache-arrow's maps name `.ts` files it does not publish, which left a third of the
 * bundle's sources without content. Dropping the comment that links an installed file to its map
 * makes esbuild map to (and embed) the installed file itself, so every source in bundle/*.map has
 * its content and the maps resolve wherever the package is installed. Workspace packages resolve
 * to packages/*, outside node_modules/.pnpm, and keep their maps to their TypeScript.
 */
const thirdPartyWithoutMaps = {
  name: 'third-party-without-maps',
  setup(b) {
    b.onLoad({ filter: /[/\\]node_modules[/\\]\.pnpm[/\\].*\.[cm]?js$/ }, async (args) => {
      const text = await readFile(args.path, 'utf8');
      return { contents: text.replace(/^\/\/# sourceMappingURL=.*$/gm, ''), loader: 'js' };
    });
  },
};

rmSync(`${root}bundle`, { recursive: true, force: true });
const external = ['parquet-wasm'];
const { metafile } = await build({
  absWorkingDir: root,
  entryPoints: {
    bin: 'dist/bin.js',
    // Loaded by URL, not imported: each package names its worker module in its `exports`.
    batchWorker: exported('@lossflow/arrow/batchWorker'),
    lossTask: exported('@lossflow/rx/worker'),
  },
  outdir: 'bundle',
  chunkNames: 'chunk-[hash]',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  // Names are kept, and source maps written (every source's content embedded, see
  // thirdPartyWithoutMaps), so a stack trace (LOSSFLOW_DEBUG=1) still reads.
  minifyWhitespace: true,
  minifySyntax: true,
  sourcemap: true,
  external,
  // The bundled files, for the licence notices of the packages they come from.
  metafile: true,
  plugins: [
    rxjsModules,
    thirdPartyWithoutMaps,
    // A command's chunks hold only the workspace modules it imports, not every module its
    // packages' entry modules re-export (see barrelImports.mjs).
    barrelImports(/^@lossflow\//, /[/\\](apps[/\\]cli|packages[/\\][^/\\]+)[/\\]dist[/\\].*\.js$/),
  ],
  // The NATS client (@lossflow/nats) is CommonJS that requires Node built-ins (crypto, net, tls):
  // in an ES module bundle, esbuild's require shim needs a real require to hand them out.
  // Removed again from the files that never use it (see requireBanner.mjs).
  banner: { js: REQUIRE_BANNER },
  logLevel: 'warning',
});
// Shipped in the package (`files`): the bundle copies third-party code out of the packages that
// carried its licence texts (see thirdPartyNotices.mjs).
dropUnusedRequireBanners(`${root}bundle`);
writeFileSync(`${root}THIRD_PARTY_NOTICES.md`, thirdPartyNotices(metafile, root, external));
