// An esbuild plugin for the bundle (see bundle.mjs): imports of a workspace package's entry module
// (`@lossflow/arrow/node`, `@lossflow/rx`, …), each a list of `export { … } from './x.js'`, are
// rewritten to import every name from the module that defines it. Why: with code splitting,
// esbuild puts into a command's chunks every module its imports reach, a re-export it never uses
// included, so `lossflow eval` of an Arrow IPC file loaded the Parquet readers, the writers and
// the generator because `@lossflow/arrow/node` also exports them. Names the entry module defines
// itself (or re-exports with `export *`) keep coming from it.

import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';

/** `import { a, b as c } from '…';` as tsc writes it (type-only imports are gone by then). */
const NAMED_IMPORT = /^import\s*\{([^}]*)\}\s*from\s*'([^']+)';[ \t]*$/gm;
/** `export { a, b as c } from './x.js';` in an entry module. */
const NAMED_REEXPORT = /^export\s*\{([^}]*)\}\s*from\s*'([^']+)';[ \t]*$/gm;

/** `a, b as c,` → [['a', 'a'], ['b', 'c']]: [name in the source module, name as exported]. */
function specifiers(list) {
  return list
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '')
    .map((s) => {
      const [from, as] = s.split(/\s+as\s+/);
      return [from, as ?? from];
    });
}

/**
 * Each name an entry module re-exports by name → [absolute path of the defining module, its name
 * there]. Only `export { … } from './relative.js'` lines count.
 */
function reexports(entryPath) {
  const names = new Map();
  const text = readFileSync(entryPath, 'utf8');
  for (const [, list, from] of text.matchAll(NAMED_REEXPORT)) {
    if (!from.startsWith('.')) continue;
    const path = resolve(dirname(entryPath), from);
    for (const [inner, outer] of specifiers(list)) names.set(outer, [path, inner]);
  }
  return names;
}

/**
 * @param {RegExp} barrels which import specifiers are entry modules to look through
 * @param {RegExp} files the importing files to rewrite (absolute paths)
 */
export function barrelImports(barrels, files) {
  return {
    name: 'barrel-imports',
    setup(b) {
      const cache = new Map();
      b.onLoad({ filter: files }, async (args) => {
        const text = readFileSync(args.path, 'utf8');
        const resolveDir = dirname(args.path);
        const replacements = [];
        for (const match of text.matchAll(NAMED_IMPORT)) {
          const [statement, list, spec] = match;
          if (!barrels.test(spec)) continue;
          const found = await b.resolve(spec, { kind: 'import-statement', resolveDir, importer: args.path });
          if (found.errors.length > 0) return { errors: found.errors };
          if (!cache.has(found.path)) cache.set(found.path, reexports(found.path));
          const names = cache.get(found.path);
          const kept = [];
          const direct = new Map();
          for (const [outer, local] of specifiers(list)) {
            const at = names.get(outer);
            if (at === undefined) {
              kept.push(outer === local ? outer : `${outer} as ${local}`);
              continue;
            }
            const [path, inner] = at;
            if (!direct.has(path)) direct.set(path, []);
            direct.get(path).push(inner === local ? inner : `${inner} as ${local}`);
          }
          const lines = [...direct].map(
            ([path, list]) => `import { ${list.join(', ')} } from ${JSON.stringify(path)};`,
          );
          if (kept.length > 0) lines.push(`import { ${kept.join(', ')} } from '${spec}';`);
          replacements.push([match.index, statement.length, lines.join(' ')]);
        }
        if (replacements.length === 0) return undefined;
        let out = text;
        // From the end, so earlier offsets stay valid; one line per statement keeps the source map's lines.
        for (const [at, length, line] of replacements.reverse())
          out = out.slice(0, at) + line + out.slice(at + length);
        return { contents: out, loader: 'js', resolveDir };
      });
    },
  };
}
