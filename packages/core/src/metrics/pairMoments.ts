import { addMoments } from './MetricState.js';

const scratch = new Float64Array(6);

/**
 * Adds the moments of the pairs `(x[i], y[i])` — count, means, centred sums of squares and
 * co-moment, each computed two-pass over the batch — into the moments block at `i` of `into`.
 *
 * @example
 * addPairMoments(state.moments, 0, predictions, targets);
 */
export function addPairMoments(
  into: Float64Array,
  at: number,
  x: ArrayLike<number>,
  y: ArrayLike<number>,
): void {
  const n = x.length;
  if (n === 0) return;
  let sx = 0;
  let sy = 0;
  for (let i = 0; i < n; i++) {
    sx += x[i]!;
    sy += y[i]!;
  }
  const mx = sx / n;
  const my = sy / n;
  let m2x = 0;
  let m2y = 0;
  let cxy = 0;
  let dx = 0;
  let dy = 0;
  for (let i = 0; i < n; i++) {
    const a = x[i]! - mx;
    const b = y[i]! - my;
    m2x += a * a;
    m2y += b * b;
    cxy += a * b;
    dx += a;
    dy += b;
  }
  // The residual sums correct the means' rounding (the corrected two-pass algorithm).
  scratch[0] = n;
  scratch[1] = mx + dx / n;
  scratch[2] = my + dy / n;
  scratch[3] = m2x - (dx * dx) / n;
  scratch[4] = m2y - (dy * dy) / n;
  scratch[5] = cxy - (dx * dy) / n;
  addMoments(into, at, scratch, 0);
}
