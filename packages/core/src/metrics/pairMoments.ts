import { addMoments, MOMENT_BLOCK, NO_MAGNITUDE } from './MetricState.js';

const scratch = new Float64Array(MOMENT_BLOCK);

/** Power-of-two exponents the moments are scaled by stay here, so 2^±e is a finite normal number. */
const MAX_SCALE = 1020;

/**
 * The exponent e with 2^e ≤ `max` < 2^(e+1), clamped to ±1020: values divided by 2^e lie within
 * [−2, 2], so their squares neither overflow nor underflow. `fallback` for a max of 0 (or not
 * finite): all-zero values have no magnitude of their own.
 */
function scaleExponent(max: number, fallback: number): number {
  if (!(max > 0) || !Number.isFinite(max)) return fallback;
  return Math.max(-MAX_SCALE, Math.min(MAX_SCALE, Math.floor(Math.log2(max))));
}

/**
 * Adds the moments of the pairs `(x[i], y[i])` for `i = offset, offset + stride, …` (`count`
 * pairs: one output of an `(N, k)` batch) into the moments block at `at` of `into`: count, means
 * (offsets from the first pair), centred sums of squares, co-moment and Σ (y − x)², each computed
 * two-pass over the batch on values divided by a power of two near the batch's largest magnitude
 * (exact scaling), so data near 1e±300 neither overflows nor underflows.
 *
 * @example
 * addPairMoments(state.moments, 0, predictions, targets, 0, 1, predictions.length);
 */
export function addPairMoments(
  into: Float64Array,
  at: number,
  x: ArrayLike<number>,
  y: ArrayLike<number>,
  offset: number,
  stride: number,
  count: number,
): void {
  if (count === 0) return;
  const end = offset + count * stride;
  let maxX = 0;
  let maxY = 0;
  for (let i = offset; i < end; i += stride) {
    maxX = Math.max(maxX, Math.abs(x[i]!));
    maxY = Math.max(maxY, Math.abs(y[i]!));
  }
  // A variable that is all zero in this batch takes the other's exponent, or NO_MAGNITUDE when both
  // are: a merge then keeps the other batches' exponent instead of scaling their moments to 2^0
  // (data near 1e-200 beside a batch of zeros underflowed so). The residual y − x is taken in the
  // targets' scale, so zero targets beside nonzero predictions take the predictions' exponent.
  const eX = scaleExponent(maxX, scaleExponent(maxY, NO_MAGNITUDE));
  const eY = scaleExponent(maxY, eX);
  const sX = eX === NO_MAGNITUDE ? 1 : 2 ** -eX;
  const sY = eY === NO_MAGNITUDE ? 1 : 2 ** -eY;
  // The shifts: the first pair. Means are offsets from them (see MOMENT_BLOCK).
  const kX = x[offset]!;
  const kY = y[offset]!;
  const kx = kX * sX;
  const ky = kY * sY;
  let sx = 0;
  let sy = 0;
  for (let i = offset; i < end; i += stride) {
    sx += x[i]! * sX - kx;
    sy += y[i]! * sY - ky;
  }
  const mx = sx / count;
  const my = sy / count;
  let m2x = 0;
  let m2y = 0;
  let cxy = 0;
  let dx = 0;
  let dy = 0;
  let res = 0;
  for (let i = offset; i < end; i += stride) {
    const a = x[i]! * sX - kx - mx;
    const b = y[i]! * sY - ky - my;
    m2x += a * a;
    m2y += b * b;
    cxy += a * b;
    dx += a;
    dy += b;
    // The residual in the targets' scale (x scaled by the targets' power of two).
    const r = y[i]! * sY - x[i]! * sY;
    res += r * r;
  }
  // The residual sums correct the means' rounding (the corrected two-pass algorithm).
  scratch[0] = count;
  scratch[1] = (mx + dx / count) / sX;
  scratch[2] = (my + dy / count) / sY;
  scratch[3] = m2x - (dx * dx) / count;
  scratch[4] = m2y - (dy * dy) / count;
  scratch[5] = cxy - (dx * dy) / count;
  scratch[6] = res;
  scratch[7] = eX;
  scratch[8] = eY;
  scratch[9] = kX;
  scratch[10] = kY;
  addMoments(into, at, scratch, 0);
}
