// The licence notices of the third-party code the bundle holds (scripts/bundle.mjs writes them to
// THIRD_PARTY_NOTICES.md, shipped in the package). Why: MIT, BSD and Apache-2.0 all require the
// copyright and licence text to travel with copies of the code, and a bundle copies it out of the
// packages that carried those texts. Which packages are inside comes from esbuild's metafile (the
// files it actually bundled), so a dependency added or tree-shaken away changes the list by itself.
// Workspace packages (@lossflow/*) are the project's own MIT code; the third-party code they
// vendor (WebAssembly builds of hysnappy and zstd in @lossflow/arrow) is listed in their own
// THIRD_PARTY_NOTICES.md, which is appended.

import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

/** Files a package's licence and notices are in, by name (case-insensitive). */
const LICENCE_FILE = /^(licen[cs]e|copying|notice)(\.(md|txt|markdown))?$/i;

/**
 * The package directory an input file of the bundle belongs to: the closest folder above it with
 * a package.json that has a name (some packages put a `{"type":"module"}` package.json in dist/).
 */
function packageDirOf(file) {
  for (let dir = dirname(file); dir !== dirname(dir); dir = dirname(dir)) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest)) {
      const { name } = JSON.parse(readFileSync(manifest, 'utf8'));
      if (typeof name === 'string' && name !== '') return dir;
    }
  }
  return undefined;
}

/**
 * The bundled packages (name, version, licence, directory, workspace or not), one entry per
 * package, sorted by name, from esbuild's `metafile` of a build run in `workingDir`.
 */
export function bundledPackages(metafile, workingDir) {
  const found = new Map();
  for (const input of Object.keys(metafile.inputs)) {
    // Inputs are relative to the working directory; a plugin's namespace prefix is not a path.
    const path = resolve(workingDir, input.replace(/^[a-z-]+:/, ''));
    const dir = packageDirOf(path);
    if (dir === undefined || found.has(dir)) continue;
    const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
    found.set(dir, {
      name: manifest.name,
      version: manifest.version ?? '',
      license: typeof manifest.license === 'string' ? manifest.license : 'see its licence text',
      dir,
      workspace: !dir.split(/[/\\]/).includes('node_modules'),
    });
  }
  return [...found.values()].sort((a, b) => a.name.localeCompare(b.name));
}

/** The texts of a package's licence files, each under its file name. */
function licenceTexts(dir) {
  return readdirSync(dir)
    .filter((f) => LICENCE_FILE.test(f))
    .sort()
    .map((f) => ({ file: f, text: readFileSync(join(dir, f), 'utf8').trim() }));
}

/**
 * The notices file's text: every third-party package of the bundle with its licence texts, then
 * the notices of code vendored by workspace packages. A package without a licence file fails the
 * build: shipping its code without its notice is what this file exists to prevent.
 *
 * @param {{ inputs: Record<string, unknown> }} metafile esbuild's metafile of the bundle
 * @param {string} workingDir the build's `absWorkingDir`
 * @param {readonly string[]} external packages left out of the bundle (installed as dependencies, with their own licences)
 */
export function thirdPartyNotices(metafile, workingDir, external = []) {
  const packages = bundledPackages(metafile, workingDir);
  const parts = [
    '# Third-party notices',
    '',
    "The `lossflow` command's bundle (bundle/) contains code of the packages below, each under its own",
    'licence, whose text follows. It is generated at build time from the files esbuild bundled.',
  ];
  if (external.length > 0) {
    parts.push(
      '',
      `Not bundled, installed as dependencies with their own licences: ${external.map((e) => `\`${e}\``).join(', ')}.`,
    );
  }
  for (const p of packages.filter((q) => !q.workspace)) {
    const texts = licenceTexts(p.dir);
    if (texts.length === 0)
      throw new Error(`${p.name}@${p.version} (${p.dir}) is bundled but has no LICENSE file to copy`);
    parts.push('', '---', '', `## ${p.name} ${p.version} (${p.license})`);
    for (const { file, text } of texts) parts.push('', `${file}:`, '', '```', text, '```');
  }
  // The package being bundled holds the notices file this writes: never its own input.
  for (const p of packages.filter((q) => q.workspace && q.dir !== resolve(workingDir))) {
    const notices = join(p.dir, 'THIRD_PARTY_NOTICES.md');
    if (!existsSync(notices)) continue;
    parts.push('', '---', '', `## Vendored in ${p.name}`, '');
    // Its headings one level down, under this one.
    parts.push(
      readFileSync(notices, 'utf8')
        .trim()
        .replace(/^(#+) /gm, '##$1 '),
    );
  }
  return `${parts.join('\n')}\n`;
}
