import type { KernelBackend, StateReduction } from '@lossflow/core';

/** One loss of a run, as plain data (posted to each worker, which rebuilds its operator from it). */
export interface LossSpec {
  /** The registry name (`crossEntropy`). */
  readonly name: string;
  readonly reduction: StateReduction;
  /**
   * The options that differ from torch's defaults, as the CLI's JSON lists the flags given
   * (`{ ignoreIndex: 3 }`); a function option is kept as the name of one of its `named` values.
   */
  readonly options: Readonly<Record<string, unknown>>;
  /** Columns chosen by role (`{ input: 'pred' }`); a role left out is auto-detected as the CLI does. */
  readonly columns: Readonly<Record<string, string>>;
}

/** What one run computes: the losses, the grouping column and the kernels. */
export interface EvalSpec {
  readonly losses: readonly LossSpec[];
  /** The `--by` column (`epoch`), when grouped. */
  readonly by?: string | undefined;
  /**
   * The kernels every worker runs. `'wasm'` is the default: it is what the CLI runs on Node 20,
   * so the values match it to the bit; `'wasm-relaxed'` is faster where the browser has relaxed SIMD.
   */
  readonly kernels: Exclude<KernelBackend, 'auto'>;
}
