import { expNonPositive } from '../kernels/exp.js';

/**
 * Index of the first largest of the `classes` scores of one sample (`x[base + c·inner]`), as
 * `torch.argmax` picks it; −1 when a score is NaN (the caller raises the error with the row).
 */
export function argmaxAt(x: ArrayLike<number>, base: number, classes: number, inner: number): number {
  let best = 0;
  let max = x[base]!;
  if (Number.isNaN(max)) return -1;
  for (let c = 1; c < classes; c++) {
    const v = x[base + c * inner]!;
    if (v > max) {
      max = v;
      best = c;
    } else if (Number.isNaN(v)) return -1;
  }
  return best;
}

/**
 * Σ exp(x_c − max) over one sample's classes: the softmax denominator, in float64 (with the loss
 * kernels' inlined exp, within 2 ulp of `Math.exp`). With `out`, each term is kept in `out[c]`.
 */
export function expSumAt(
  x: ArrayLike<number>,
  base: number,
  classes: number,
  inner: number,
  max: number,
  out?: Float64Array,
): number {
  let s = 0;
  if (out === undefined) for (let c = 0; c < classes; c++) s += expNonPositive(x[base + c * inner]! - max);
  else {
    for (let c = 0; c < classes; c++) {
      const e = expNonPositive(x[base + c * inner]! - max);
      out[c] = e;
      s += e;
    }
  }
  return s;
}

/** The logistic sigmoid in float64. */
export function sigmoid(z: number): number {
  return 1 / (1 + Math.exp(-z));
}
