import * as core from '@lossflow/core';
import type { LossOperatorSpec } from './LossOperatorSpec.js';

/**
 * A record batch holds one sequence per row, `(N, T, C)`, while torch's CTC wants time first,
 * `(T, N, C)`: one transposing copy per batch (the only loss that needs one).
 */
function timeFirst(t: core.Tensor): core.Tensor {
  const [n = 0, steps = 0, c = 0] = t.shape;
  if (t.shape.length !== 3) return t;
  const src = t.data as core.FloatArray;
  const out = new (src.constructor as new (n: number) => core.FloatArray)(src.length);
  for (let b = 0; b < n; b++) {
    for (let s = 0; s < steps; s++)
      out.set(src.subarray((b * steps + s) * c, (b * steps + s + 1) * c), (s * n + b) * c);
  }
  return { data: out, shape: [steps, n, c] };
}

/**
 * The CTC operator's spec from the registry's (`base`): time-first tensors for the core, nothing
 * added for an empty batch.
 *
 * @example
 * const spec = ctcSpec(descriptorSpec(lossDescriptor('ctcLoss')));
 */
export function ctcSpec(base: LossOperatorSpec<core.CtcLossOptions>): LossOperatorSpec<core.CtcLossOptions> {
  return {
    ...base,
    // torch 2.x rejects empty log_probs; an empty batch of a stream simply adds nothing.
    partial: ([lp, t, il, tl], o, into) =>
      lp!.shape[0] === 0
        ? (into ?? core.createState('ctcLoss', lp!.data instanceof Float64Array ? 'float64' : 'float32'))
        : core.ctcLossPartial(timeFirst(lp!), t!, il!, tl!, o, into),
    none: ([lp, t, il, tl], o) => core.ctcLoss(timeFirst(lp!), t!, il!, tl!, { ...o, reduction: 'none' }),
  };
}
