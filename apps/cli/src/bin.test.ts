/**
 * What `bundle/bin.js` loads before it knows the command: only the dispatch. A static import of
 * anything that reaches @lossflow/core, apache-arrow or RxJS made every run (`--version` too) load
 * and evaluate about 660 KB of JavaScript first, and made `eval` start its workers only after that.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const bundle = new URL('../bundle/', import.meta.url);

/** The files `file` imports statically (`import … from "./x.js"` and `import "./x.js"`, not `import()`), transitively. */
function staticClosure(file: string, seen = new Set<string>()): Set<string> {
  if (seen.has(file)) return seen;
  seen.add(file);
  const text = readFileSync(new URL(file, bundle), 'utf8');
  for (const m of text.matchAll(/import\s*(?:[\w*{}\s,$]+from\s*)?["']\.\/([\w.-]+\.js)["']/g))
    staticClosure(m[1]!, seen);
  return seen;
}

describe('bundle/bin.js', () => {
  it('loads only the command dispatch before it knows the command', () => {
    const files = [...staticClosure('bin.js')];
    const bytes = files.reduce((n, f) => n + readFileSync(new URL(f, bundle)).length, 0);
    expect(bytes).toBeLessThan(16_384);
    for (const f of files) {
      const text = readFileSync(new URL(f, bundle), 'utf8');
      expect(text).not.toMatch(/class _?LossError|class _?ArrowReadError|flatbuffers|rxjs/);
    }
  });
});
