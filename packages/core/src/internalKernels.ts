/**
 * `@lossflow/core/kernels`: the WebAssembly kernels and their memory, for an IO layer that reads
 * batches straight into WASM memory (the `@lossflow/rx` worker task does). Internal and unstable:
 * these names may change in any release; the public root never exposes them.
 *
 * @packageDocumentation
 */

export { adoptCompiledKernels, compiledKernels } from './wasm/compiledKernels.js';
export {
  type BroadcastWeight,
  type Float32CrossEntropyIndexKernel,
  type Float32ElementwiseKernels,
  type Float32NllKernel,
  type WasmKernels,
  wasmKernels,
} from './wasm/wasmKernels.js';
export type { LinearMemory } from './wasm/wasmModule.js';
