import { describe, expect, it } from 'vitest';
import * as root from './index.js';
import * as kernels from './internalKernels.js';

describe('the @lossflow/core/kernels entry', () => {
  it('holds the WASM kernels, which the public root no longer exports', () => {
    expect(typeof kernels.wasmKernels).toBe('function');
    expect(Object.keys(root)).not.toContain('wasmKernels');
    // The backend switch stays public.
    expect(typeof root.setKernelBackend).toBe('function');
    expect(typeof root.initKernels).toBe('function');
  });
});
