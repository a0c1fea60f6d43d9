// Import cycles inside one package's src/, for the packages' layering tests (issue 12: no
// type-only upward cycles). Type-only imports count: they are how an upward dependency hides.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';

/** A relative specifier in an import, `import type`, `export … from`, or `import()`. */
const SPECIFIER = /(?:\bfrom|\bimport)\s*\(?\s*['"](\.{1,2}\/[^'"]+)['"]/g;

function sourceFiles(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return e.name === 'testing' || e.name === 'node_modules' ? [] : sourceFiles(path);
    return e.name.endsWith('.ts') && !e.name.endsWith('.test.ts') && !e.name.endsWith('.d.ts') ? [path] : [];
  });
}

/** Strongly connected components of more than one node (Tarjan), each sorted. */
function cycles(graph) {
  let next = 0;
  const index = new Map();
  const low = new Map();
  const stack = [];
  const onStack = new Set();
  const found = [];
  const visit = (v) => {
    index.set(v, next);
    low.set(v, next++);
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v), low.get(w)));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v), index.get(w)));
    }
    if (low.get(v) !== index.get(v)) return;
    const component = [];
    let w;
    do {
      w = stack.pop();
      onStack.delete(w);
      component.push(w);
    } while (w !== v);
    if (component.length > 1) found.push(component.sort());
  };
  for (const v of graph.keys()) if (!index.has(v)) visit(v);
  return found;
}

/**
 * The import cycles among the non-test source files under `srcDir` (`testing/` and `*.test.ts`
 * left out): `files`, cycles between files; `folders`, cycles between the top-level folders (a
 * file at the top level counts as its own node). Paths are relative to `srcDir`, with `/`.
 */
export function importCycles(srcDir) {
  const root = resolve(srcDir);
  const files = sourceFiles(root);
  const known = new Set(files);
  const name = (f) => relative(root, f).split(sep).join('/');
  const fileGraph = new Map();
  const folderGraph = new Map();
  const folderOf = (n) => (n.includes('/') ? n.slice(0, n.indexOf('/')) : n);
  for (const file of files) {
    const deps = new Set();
    for (const [, spec] of readFileSync(file, 'utf8').matchAll(SPECIFIER)) {
      const target = resolve(dirname(file), spec).replace(/\.js$/, '.ts');
      if (known.has(target) || existsSync(target)) deps.add(name(target));
    }
    fileGraph.set(name(file), deps);
    const from = folderOf(name(file));
    const edges = folderGraph.get(from) ?? new Set();
    for (const d of deps) if (folderOf(d) !== from) edges.add(folderOf(d));
    folderGraph.set(from, edges);
  }
  return { files: cycles(fileGraph), folders: cycles(folderGraph) };
}
