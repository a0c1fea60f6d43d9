// Bundles the command line (after `tsc -b`) into bundle/: bin.js and the two worker-thread
// entries, batchWorker.js (from @lossflow/arrow) and lossTask.js (from @lossflow/rx), sharing
// chunks. Why: Node resolves and compiles ESM module by module, and apache-arrow + RxJS are
// hundreds of files; bundled, `lossflow eval` starts in about a third of the time. The entries
// keep their names side by side, so `new URL('./batchWorker.js', import.meta.url)` and
// `new URL('./lossTask.js', import.meta.url)` still find them; bundle/ sits next to package.json,
// so `new URL('../package.json', import.meta.url)` does too. parquet-wasm loads its .wasm file
// from its own folder, so it stays a runtime dependency, required where it is installed.
import { rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = fileURLToPath(new URL('..', import.meta.url));

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

rmSync(`${root}bundle`, { recursive: true, force: true });
await build({
  absWorkingDir: root,
  entryPoints: {
    bin: 'dist/bin.js',
    // Loaded by URL, not imported, so their packages do not export them: take the built files.
    batchWorker: 'node_modules/@lossflow/arrow/dist/batchWorker.js',
    lossTask: 'node_modules/@lossflow/rx/dist/lossTask.js',
  },
  outdir: 'bundle',
  chunkNames: 'chunk-[hash]',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  // Names are kept, and source maps written, so a stack trace (LOSSFLOW_DEBUG=1) still reads.
  minifyWhitespace: true,
  minifySyntax: true,
  sourcemap: true,
  external: ['parquet-wasm'],
  plugins: [rxjsModules],
  logLevel: 'warning',
});
