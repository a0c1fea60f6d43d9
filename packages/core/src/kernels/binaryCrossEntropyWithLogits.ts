import { compensatedValue, twoSumError } from '../state/compensatedSum.js';
import type { BroadcastView } from '../tensor/operands.js';
import type { FloatArray } from '../tensor/tensor.js';

/** Resolved options of BCE-with-logits: weight and pos_weight broadcast into the input. */
export interface BinaryCrossEntropyWithLogitsParams {
  readonly weight: BroadcastView;
  /** `null` without pos_weight: torch then leaves log σ(x) unscaled (lw = 1 exactly, even for y = ±inf). */
  readonly posWeight: BroadcastView | null;
}

/** torch's accurate log σ(x) = min(x, 0) − log1p(exp(−|x|)). */
function logSigmoid(x: number): number {
  return Math.min(x, 0) - Math.log1p(Math.exp(-Math.abs(x)));
}

/** Σ w·BCE-with-logits over `n` elements, float64 with compensation (torch 2.x's log_sigmoid form). */
export function binaryCrossEntropyWithLogitsSum(
  x: FloatArray,
  y: FloatArray,
  n: number,
  p: BinaryCrossEntropyWithLogitsParams,
): number {
  const { data: w, inner: wInner, period: wPeriod } = p.weight;
  const pw = p.posWeight;
  const pwData = pw === null ? w : pw.data;
  const pwInner = pw === null ? 1 : pw.inner;
  const pwPeriod = pw === null ? 1 : pw.period;
  let wk = 0;
  let wi = 0;
  let pk = 0;
  let pi = 0;
  let s = 0;
  let c = 0;
  for (let i = 0; i < n; i++) {
    const xi = x[i]!;
    const yi = y[i]!;
    let ls = logSigmoid(xi);
    if (pw !== null) {
      ls *= (pwData[pi]! - 1) * yi + 1;
      if (++pk === pwInner) {
        pk = 0;
        if (++pi === pwPeriod) pi = 0;
      }
    }
    const v = ((1 - yi) * xi - ls) * w[wi]!;
    if (++wk === wInner) {
      wk = 0;
      if (++wi === wPeriod) wi = 0;
    }
    const t = s + v;
    c += twoSumError(s, v, t);
    s = t;
  }
  return compensatedValue(s, c);
}

/** out[i] = w·BCE-with-logits of (x[i], y[i]). */
export function binaryCrossEntropyWithLogitsNone(
  x: FloatArray,
  y: FloatArray,
  out: FloatArray,
  p: BinaryCrossEntropyWithLogitsParams,
): void {
  const { data: w, inner: wInner, period: wPeriod } = p.weight;
  const pw = p.posWeight;
  const pwData = pw === null ? w : pw.data;
  const pwInner = pw === null ? 1 : pw.inner;
  const pwPeriod = pw === null ? 1 : pw.period;
  let wk = 0;
  let wi = 0;
  let pk = 0;
  let pi = 0;
  for (let i = 0; i < out.length; i++) {
    const xi = x[i]!;
    const yi = y[i]!;
    let ls = logSigmoid(xi);
    if (pw !== null) {
      ls *= (pwData[pi]! - 1) * yi + 1;
      if (++pk === pwInner) {
        pk = 0;
        if (++pi === pwPeriod) pi = 0;
      }
    }
    out[i] = ((1 - yi) * xi - ls) * w[wi]!;
    if (++wk === wInner) {
      wk = 0;
      if (++wi === wPeriod) wi = 0;
    }
  }
}
