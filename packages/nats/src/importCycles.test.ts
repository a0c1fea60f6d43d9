import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { importCycles } from '../../../scripts/importCycles.mjs';

// The script's own cases (type-only imports, folder cycles without file cycles) are tested in core.
describe('import cycles', () => {
  it('none between the source files or the folders of src/, type-only imports included', () => {
    expect(importCycles(fileURLToPath(new URL('.', import.meta.url)))).toEqual({ files: [], folders: [] });
  });
});
