// The modules a source file loads when it is evaluated, for tests that keep a worker thread's start-up
// light: what its value imports reach (static imports, re-exports and side-effect imports, followed
// through relative specifiers); type-only imports (erased by tsc) and `import()` (loaded on demand)
// are left out.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** `import … from`, `export … from` (group 1: the clause, group 2: the specifier), or `import '…'` (group 3). */
const STATEMENT = /^(?:import|export)\b([^;]*?)\bfrom\s*'([^']+)'|^import\s*'([^']+)'/gm;

/** Whether an import or export clause binds types only, so tsc erases the statement. */
function typeOnly(clause) {
  const c = clause.trim();
  if (/^type\b/.test(c)) return true;
  const names = /^\{([^}]*)\}$/.exec(c);
  if (names === null) return false;
  const items = names[1]
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  return items.length > 0 && items.every((s) => /^type\s/.test(s));
}

/**
 * Every source file `entry` loads (its own `.ts` files, from `.js` specifiers) and every bare
 * specifier those files import, both sorted.
 *
 * @param {URL} entry a `.ts` source file
 * @returns {{ files: string[], packages: string[] }} files as `file:` URLs
 */
export function staticImports(entry) {
  const files = new Set();
  const packages = new Set();
  const visit = (url) => {
    if (files.has(url.href)) return;
    files.add(url.href);
    const text = readFileSync(fileURLToPath(url), 'utf8');
    for (const [, clause, from, sideEffect] of text.matchAll(STATEMENT)) {
      const spec = from ?? sideEffect;
      if (spec === undefined || (clause !== undefined && typeOnly(clause))) continue;
      if (spec.startsWith('.')) visit(new URL(spec.replace(/\.js$/, '.ts'), url));
      else packages.add(spec);
    }
  };
  visit(entry);
  return { files: [...files].sort(), packages: [...packages].sort() };
}
