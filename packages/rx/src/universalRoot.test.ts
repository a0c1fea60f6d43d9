/**
 * The root of `@lossflow/rx` runs anywhere (a browser too): none of its own modules, followed
 * through every relative import from `index.ts`, imports `node:*` or a Node-only entry; files by
 * path and worker threads live in `@lossflow/rx/node`.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

// Static imports and re-exports (at the start of a line), side-effect imports, dynamic imports.
const SPECIFIER =
  /^(?:import|export)\b[^;]*?\bfrom\s+'([^']+)'|^import\s+'([^']+)'|\bimport\(\s*'([^']+)'\s*\)/gm;

/** Every module reached from `entry` through relative imports, with the bare specifiers it imports. */
function graph(entry: URL): Map<string, string[]> {
  const seen = new Map<string, string[]>();
  const visit = (url: URL) => {
    if (seen.has(url.href)) return;
    const text = readFileSync(url, 'utf8');
    const packages: string[] = [];
    seen.set(url.href, packages);
    for (const [, from, sideEffect, dynamic] of text.matchAll(SPECIFIER)) {
      const spec = from ?? sideEffect ?? dynamic;
      if (spec === undefined) continue;
      if (spec.startsWith('.')) visit(new URL(spec.replace(/\.js$/, '.ts'), url));
      else packages.push(spec);
    }
  };
  visit(entry);
  return seen;
}

describe('the universal root', () => {
  const modules = graph(new URL('./index.ts', import.meta.url));

  it('imports nothing from node:* or a Node-only entry, transitively', () => {
    const nodeOnly = [...modules].flatMap(([file, specs]) =>
      specs
        .filter((s) => s.startsWith('node:') || /^@lossflow\/[^/]+\/(node|prestart)$/.test(s))
        .map((s) => `${file.replace(/.*\/src\//, '')}: ${s}`),
    );
    expect(nodeOnly).toEqual([]);
  });

  it('leaves fromFile and the threads to the node entry', () => {
    const files = [...modules.keys()].map((f) => f.replace(/.*\/src\//, ''));
    expect(files).not.toContain('sources/fromFile.ts');
    expect(files).not.toContain('sources/FileBatches.ts');
    expect(files).not.toContain('threads/lossesInWorkers.ts');
    expect(
      graph(new URL('./node.ts', import.meta.url)).has(
        new URL('./sources/fromFile.ts', import.meta.url).href,
      ),
    ).toBe(true);
  });
});
