import { describe, expect, it } from 'vitest';
import { staticImports } from '../../../../scripts/staticImports.mjs';

describe('the loss task', () => {
  it("loads neither apache-arrow, RxJS nor @lossflow/arrow's root in a worker, only the light entries", () => {
    const { packages } = staticImports(new URL('./lossTask.ts', import.meta.url));
    expect(packages).toEqual(['@lossflow/arrow/worker', '@lossflow/core', '@lossflow/core/kernels']);
  });
});
