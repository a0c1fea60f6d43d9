import { compensatedValue, twoSumError } from '../state/compensatedSum.js';
import type { FloatArray } from '../tensor/tensor.js';

const NEG_INF = Number.NEGATIVE_INFINITY;

// exp(d) with the two values the recursion hits most (d = 0 for the largest term, −∞ for an
// unreachable one) answered without calling Math.exp; identical results for every d.
function expShifted(d: number): number {
  return d === 0 ? 1 : d === NEG_INF ? 0 : Math.exp(d);
}

/**
 * −log p(labels | log-probs) of one sequence by the CTC forward (alpha) recursion in log space,
 * step for step as torch's CPU kernel (log-sum-exp shifted by the largest term, a shift of 0 when
 * all are −∞), so thousands of frames do not underflow.
 *
 * `lp[base + t·step + c]` is the log-probability of class c at frame t; `ext[0…width)` is the
 * extended label sequence (blank, l1, blank, l2, …, blank; width = 2L + 1); `prev`/`cur` are
 * scratch rows of at least `width` values. An impossible alignment gives +Infinity; zero frames
 * give 0 for an empty target and +Infinity otherwise (torch 2.x).
 */
export function ctcSequence(
  lp: FloatArray,
  base: number,
  step: number,
  frames: number,
  ext: Int32Array,
  width: number,
  prev: Float64Array,
  cur: Float64Array,
): number {
  if (frames === 0) return width === 1 ? 0 : Number.POSITIVE_INFINITY;
  prev.fill(NEG_INF, 0, width);
  prev[0] = lp[base + ext[0]!]!;
  if (width > 1) prev[1] = lp[base + ext[1]!]!;
  for (let t = 1; t < frames; t++) {
    const row = base + t * step;
    // States below `lo` can no longer reach the last two by the last frame (at most two steps a
    // frame), and only feed states that cannot either: skipping them changes no result, NaN included.
    const lo = Math.max(0, width - 2 - 2 * (frames - 1 - t));
    for (let s = lo; s < width; s++) {
      const la1 = prev[s]!;
      let lamax = la1;
      let la2 = NEG_INF;
      if (s > 0) {
        la2 = prev[s - 1]!;
        if (la2 > lamax) lamax = la2;
      }
      let la3 = NEG_INF;
      // A skip over the blank is allowed only between different labels.
      if (s > 1 && ext[s - 2] !== ext[s]) {
        la3 = prev[s - 2]!;
        if (la3 > lamax) lamax = la3;
      }
      if (lamax === NEG_INF) lamax = 0;
      cur[s] =
        Math.log(expShifted(la1 - lamax) + expShifted(la2 - lamax) + expShifted(la3 - lamax)) +
        lamax +
        lp[row + ext[s]!]!;
    }
    const swap = prev;
    prev = cur;
    cur = swap;
  }
  if (width === 1) return -prev[0]!;
  const l1 = prev[width - 1]!;
  const l2 = prev[width - 2]!;
  let m = Math.max(l1, l2);
  if (m === NEG_INF) m = 0;
  return -(Math.log(Math.exp(l1 - m) + Math.exp(l2 - m)) + m);
}

/** Where a batch's targets are: sample b's k-th label is `idx[(offsets[b] + k·step)·stride]`. */
export interface CtcTargets {
  readonly idx: Int32Array;
  readonly stride: number;
  readonly offsets: Int32Array;
  readonly step: number;
}

/**
 * The CTC losses of `batch` sequences of a `(frames, batch, classes)` log-probability array:
 * writes each loss to `out` when given (+Infinity replaced by 0 when `zeroInfinity`), and puts
 * Σ loss and Σ loss / max(L, 1) (the `'mean'` numerator) in `acc[0]`, `acc[1]`.
 * Lengths and labels are already validated.
 */
export function ctcBatch(
  lp: FloatArray,
  batch: number,
  classes: number,
  inputLengths: Int32Array,
  targetLengths: Int32Array,
  targets: CtcTargets,
  blank: number,
  zeroInfinity: boolean,
  out: FloatArray | null,
  acc: Float64Array,
): void {
  let maxWidth = 1;
  for (let b = 0; b < batch; b++) maxWidth = Math.max(maxWidth, 2 * targetLengths[b]! + 1);
  const ext = new Int32Array(maxWidth);
  const prev = new Float64Array(maxWidth);
  const cur = new Float64Array(maxWidth);
  const { idx, stride, offsets, step } = targets;
  let s = 0;
  let sc = 0;
  let m = 0;
  let mc = 0;
  for (let b = 0; b < batch; b++) {
    const length = targetLengths[b]!;
    const width = 2 * length + 1;
    ext[0] = blank;
    for (let k = 0; k < length; k++) {
      ext[2 * k + 1] = idx[(offsets[b]! + k * step) * stride]!;
      ext[2 * k + 2] = blank;
    }
    let loss = ctcSequence(lp, b * classes, batch * classes, inputLengths[b]!, ext, width, prev, cur);
    if (zeroInfinity && loss === Number.POSITIVE_INFINITY) loss = 0;
    if (out !== null) out[b] = loss;
    let t = s + loss;
    sc += twoSumError(s, loss, t);
    s = t;
    const perLabel = loss / Math.max(length, 1);
    t = m + perLabel;
    mc += twoSumError(m, perLabel, t);
    m = t;
  }
  acc[0] = compensatedValue(s, sc);
  acc[1] = compensatedValue(m, mc);
}
