import { describe, expect, it } from 'vitest';
import { staticImports } from '../../../../scripts/staticImports.mjs';

describe('BatchRunner', () => {
  it('loads no Parquet decoder (nor apache-arrow, hyparquet) before a Parquet request: an IPC worker starts light', () => {
    const { files, packages } = staticImports(new URL('./BatchRunner.ts', import.meta.url));
    expect(packages.filter((p) => !p.startsWith('node:'))).toEqual([]);
    expect(files.filter((f) => f.includes('/parquet/'))).toEqual([]);
  });
});
