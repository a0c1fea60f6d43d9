/**
 * The package ships the licence notices of the code it vendors as WebAssembly (hysnappy's Snappy
 * and zstd's decompressors, in src/parquet/fast): THIRD_PARTY_NOTICES.md, listed in `files`, with
 * each licence's full text.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const root = new URL('..', import.meta.url);
const read = (path: string) => readFileSync(new URL(path, root), 'utf8');

describe('THIRD_PARTY_NOTICES.md', () => {
  it('holds the full licence text of each vendored WebAssembly build', () => {
    const notices = read('THIRD_PARTY_NOTICES.md');
    expect(notices).toContain(read('vendor/zstd/LICENSE').trim());
    expect(notices).toMatch(/## hysnappy [\d.]+ \(MIT\)/);
    expect(notices).toContain('Permission is hereby granted, free of charge');
    // Each vendored module names the licence it is used under.
    expect(read('src/parquet/fast/snappyWasm.ts')).toMatch(/hysnappy[\s\S]*MIT/);
    expect(read('src/parquet/fast/zstdWasm.ts')).toMatch(/zstd[\s\S]*BSD/);
  });

  it('is shipped in the package', () => {
    const { files } = JSON.parse(read('package.json')) as { files: string[] };
    expect(files).toContain('THIRD_PARTY_NOTICES.md');
  });
});
