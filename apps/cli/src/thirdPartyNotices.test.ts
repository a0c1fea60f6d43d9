/**
 * The bundle ships the licence notices of the third-party code it holds: every package a source of
 * the bundle's source maps comes from (what esbuild really bundled, read independently of the
 * script that writes the notices) has its licence text in THIRD_PARTY_NOTICES.md, which the
 * package ships; so do the WebAssembly builds @lossflow/arrow vendors.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const cli = new URL('..', import.meta.url);
const read = (path: string) => readFileSync(new URL(path, cli), 'utf8');

/** The third-party packages the bundle's source maps name (node_modules/.pnpm/…/node_modules/<name>/). */
function bundledPackages(): Set<string> {
  const names = new Set<string>();
  for (const file of readdirSync(new URL('bundle/', cli)).filter((f) => f.endsWith('.map'))) {
    const { sources } = JSON.parse(read(`bundle/${file}`)) as { sources: string[] };
    for (const source of sources) {
      const m = /node_modules\/\.pnpm\/[^/]+\/node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(source);
      if (m !== null) names.add(m[1]!);
    }
  }
  return names;
}

describe('THIRD_PARTY_NOTICES.md', () => {
  it('has the licence of every package inside the bundle', () => {
    const notices = read('THIRD_PARTY_NOTICES.md');
    const bundled = bundledPackages();
    // What the bundle is known to hold; the list itself comes from the source maps.
    for (const name of ['apache-arrow', 'flatbuffers', 'rxjs', 'tslib', 'hyparquet'])
      expect(bundled).toContain(name);
    for (const name of bundled) {
      const at = notices.indexOf(`\n## ${name} `);
      expect(at, `${name} is bundled but not in THIRD_PARTY_NOTICES.md`).toBeGreaterThan(0);
      // Its section holds a licence text, not just a heading.
      const section = notices.slice(at, notices.indexOf('\n---', at + 1) >>> 0);
      expect(section).toMatch(/LICEN[CS]E|Permission|Copyright|THE SOFTWARE|public domain/i);
    }
  });

  it('has the notices of the code @lossflow/arrow vendors (hysnappy, zstd)', () => {
    const notices = read('THIRD_PARTY_NOTICES.md');
    expect(notices).toContain('hysnappy');
    expect(notices).toContain('For Zstandard software');
    expect(notices).toContain('Permission is hereby granted, free of charge');
  });

  it('is shipped in the package', () => {
    const { files } = JSON.parse(read('package.json')) as { files: string[] };
    expect(files).toContain('THIRD_PARTY_NOTICES.md');
  });
});
