// Every package's `prepack` script (run by `pnpm pack` and `pnpm publish` in the package's folder).
// Why: `files` names build outputs that git does not hold, so packing a fresh clone used to give
// an empty package with exit 0. This builds the package and its workspace dependencies through
// turbo (a cache hit that rewrites nothing when the tree is already built), copies the
// repository's LICENSE in (the package folders hold no copy of their own: it is gitignored there),
// and then fails, naming the file, if anything package.json points at is still missing.
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const dir = process.cwd();
const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));

const turbo = join(root, 'node_modules', '.bin', 'turbo');
// Turbo's summary goes to stderr: `pnpm pack --json` keeps stdout for its own report.
const built = spawnSync(
  turbo,
  ['run', 'build', `--filter=${manifest.name}...`, '--output-logs=errors-only'],
  {
    cwd: root,
    stdio: ['ignore', 2, 2],
  },
);
if (built.error || built.status !== 0) {
  fail(
    `building ${manifest.name} failed (${built.error?.message ?? `exit ${built.status}`}); run \`pnpm build\` at the repository root to see why`,
  );
}

copyFileSync(join(root, 'LICENSE'), join(dir, 'LICENSE'));

const targets = [];
collect(manifest.exports, targets);
collect(manifest.bin, targets);
if (typeof manifest.types === 'string') targets.push(manifest.types);
const missing = targets.filter((target) => !existsSync(join(dir, target)));
if (missing.length > 0) fail(`${manifest.name} would be packed without ${missing.join(', ')}`);

// `tsc -b` never deletes the output of a source file that was removed or renamed: such a stale
// file would be packed and shipped. Its source map names the source that no longer exists.
const stale = staleOutputs(join(dir, 'dist'));
if (stale.length > 0) {
  fail(
    `${manifest.name}'s dist holds build output whose source is gone (${stale.slice(0, 3).join(', ')}${stale.length > 3 ? ', …' : ''}); delete dist and run \`pnpm build\` again`,
  );
}

/** The `.map` files under `folder` (relative to the package) whose sources do not all exist. */
function staleOutputs(folder) {
  if (!existsSync(folder)) return [];
  const found = [];
  for (const entry of readdirSync(folder, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile() || !entry.name.endsWith('.map')) continue;
    const file = join(entry.parentPath ?? entry.path, entry.name);
    const { sources = [], sourcesContent } = JSON.parse(readFileSync(file, 'utf8'));
    // Embedded sources (the CLI bundle's) need no file.
    if (Array.isArray(sourcesContent) && sourcesContent.every((c) => typeof c === 'string')) continue;
    if (sources.some((source) => !existsSync(resolve(dirname(file), source))))
      found.push(file.slice(dir.length + 1));
  }
  return found;
}

/** Gathers every path string in an `exports` or `bin` value, however deeply conditions nest. */
function collect(value, into) {
  if (typeof value === 'string') into.push(value);
  else if (value && typeof value === 'object') for (const v of Object.values(value)) collect(v, into);
}

/** Stops the pack: npm and pnpm abort when `prepack` exits non-zero. */
function fail(message) {
  process.stderr.write(`prepack: ${message}\n`);
  process.exit(1);
}
