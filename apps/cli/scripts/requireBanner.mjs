// The `require` banner of the bundle (see bundle.mjs), kept only in the files that use `require`.
// Why: esbuild writes a banner into every output file, and each of the ~60 files `lossflow eval`
// loads (~20 in each worker thread) then built a CommonJS `require` with `createRequire`, work a
// process repeated per file at start-up although only esbuild's runtime chunk (its `__require`
// shim for the NATS client's CommonJS) and the files bundling such code read it.

import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** The banner: a module-scoped `require` for CommonJS code bundled into an ES module. */
export const REQUIRE_BANNER =
  "import { createRequire as __lossflowCreateRequire } from 'node:module'; const require = __lossflowCreateRequire(import.meta.url);";

/**
 * Removes the banner's line from every `.js` file in `dir` whose other lines never name `require`
 * (a conservative test: a mere mention keeps it), and the line's (empty) mappings from its source
 * map, so the map still points every generated line at its source.
 *
 * @returns the files the banner was removed from
 * @example
 * dropUnusedRequireBanners('bundle'); // after esbuild has written the bundle
 */
export function dropUnusedRequireBanners(dir) {
  const dropped = [];
  for (const name of readdirSync(dir)) {
    if (!name.endsWith('.js')) continue;
    const file = join(dir, name);
    const text = readFileSync(file, 'utf8');
    const lines = text.split('\n');
    const at = lines.indexOf(REQUIRE_BANNER);
    // The banner follows a shebang line at most.
    if (at < 0 || at > 1) continue;
    const rest = [...lines.slice(0, at), ...lines.slice(at + 1)];
    if (rest.some((line) => /\brequire\b/.test(line))) continue;
    writeFileSync(file, rest.join('\n'));
    const mapFile = `${file}.map`;
    const map = JSON.parse(readFileSync(mapFile, 'utf8'));
    // Each ';' ends a generated line: the banner's is the one after `at` earlier lines.
    const groups = map.mappings.split(';');
    if (groups[at] !== '') throw new Error(`${name}: the banner line has mappings`);
    groups.splice(at, 1);
    map.mappings = groups.join(';');
    writeFileSync(mapFile, JSON.stringify(map));
    dropped.push(name);
  }
  return dropped;
}
