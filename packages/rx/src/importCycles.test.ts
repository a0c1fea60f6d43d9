import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { importCycles } from '../../../scripts/importCycles.mjs';

describe('import cycles', () => {
  it('none between the source files or the folders of src/, type-only imports included', () => {
    expect(importCycles(fileURLToPath(new URL('.', import.meta.url)))).toEqual({ files: [], folders: [] });
  });

  it('are found through type-only imports, and between folders whose files form no cycle', () => {
    const dir = mkdtempSync(join(tmpdir(), 'lossflow-cycles-'));
    try {
      mkdirSync(join(dir, 'a'));
      mkdirSync(join(dir, 'b'));
      mkdirSync(join(dir, 'testing'));
      writeFileSync(
        join(dir, 'a/one.ts'),
        "import type { Two } from '../b/two.js';\nexport type One = Two;\n",
      );
      writeFileSync(
        join(dir, 'b/two.ts'),
        "import { three } from './three.js';\nexport type Two = typeof three;\n",
      );
      writeFileSync(join(dir, 'b/three.ts'), 'export const three = 3;\n');
      writeFileSync(join(dir, 'a/five.ts'), 'export const one = 1;\n');
      // Tests and test helpers may import anything.
      writeFileSync(join(dir, 'b/two.test.ts'), "import '../a/five.js';\n");
      writeFileSync(join(dir, 'testing/helper.ts'), "import '../a/one.js';\n");
      writeFileSync(join(dir, 'a/six.ts'), "import '../testing/helper.js';\n");
      expect(importCycles(dir)).toEqual({ files: [], folders: [] });
      writeFileSync(join(dir, 'b/four.ts'), "export { one } from '../a/five.js';\n");
      expect(importCycles(dir)).toEqual({ files: [], folders: [['a', 'b']] });
      writeFileSync(
        join(dir, 'b/three.ts'),
        "import type { One } from '../a/one.js';\nexport const three: One = 3;\n",
      );
      expect(importCycles(dir).files).toEqual([['a/one.ts', 'b/three.ts', 'b/two.ts']]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
