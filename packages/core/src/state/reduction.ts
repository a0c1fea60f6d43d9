import { LossError } from '../LossError.js';

/** How per-element losses are reduced, as torch's `reduction=`. */
export type Reduction = 'none' | 'mean' | 'sum';

/** The reductions a streaming state can be finalized with (`'batchmean'` is `klDiv` only). */
export type StateReduction = 'mean' | 'sum' | 'batchmean';

const REDUCTIONS: readonly string[] = ['none', 'mean', 'sum'];

/**
 * Validates `reduction` (default `'mean'`) before any computation, as torch does.
 * `extra` admits loss-specific values (`'batchmean'` for `klDiv`).
 */
export function checkReduction<R extends string = Reduction>(
  loss: string,
  reduction: unknown,
  extra: readonly string[] = [],
): R {
  const r = reduction ?? 'mean';
  if (typeof r !== 'string' || !(REDUCTIONS.includes(r) || extra.includes(r))) {
    const allowed = [...REDUCTIONS, ...extra].map((x) => `'${x}'`).join(', ');
    throw new LossError(
      'INVALID_REDUCTION',
      `${JSON.stringify(r) ?? String(r)} is not a valid value for reduction`,
      {
        loss,
        argument: 'reduction',
        hint: `Use one of ${allowed}.`,
      },
    );
  }
  return r as R;
}
