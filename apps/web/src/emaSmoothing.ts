/**
 * Exponential moving average of `values` with weight `alpha` (0: no smoothing), debiased as
 * TensorBoard does so the first points are not pulled towards 0; NaNs are passed over.
 *
 * @example
 * emaSmoothing([1, 2, 3], 0.6);
 */
export function emaSmoothing(values: readonly number[], alpha: number): number[] {
  const out: number[] = [];
  let last = 0;
  let weight = 0;
  for (const v of values) {
    if (!Number.isFinite(v)) {
      out.push(Number.NaN);
      continue;
    }
    last = last * alpha + (1 - alpha) * v;
    weight = weight * alpha + (1 - alpha);
    out.push(weight === 0 ? v : last / weight);
  }
  return out;
}
