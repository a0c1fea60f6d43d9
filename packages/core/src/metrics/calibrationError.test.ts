/**
 * calibrationError against a direct float64 implementation of torchmetrics 1.x's algorithm
 * (`_ce_compute` with `_binning_bucketize`: `bucketize(p, linspace(0, 1, n + 1), right=True) - 1`
 * over n + 1 slots, so slot i holds lower_i ≤ p < upper_i and slot n holds p = 1 exactly;
 * ECE = Σ prop_i·|acc_i − conf_i|, MCE = max_i |acc_i − conf_i|, RMSCE = √Σ prop_i·(acc_i − conf_i)²).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { calibrationError, calibrationErrorPartial, confidenceBin } from './calibrationError.js';
import { mergeMetricStates } from './MetricState.js';
import { finalizeMetric } from './metrics.js';

type Norm = 'l1' | 'max' | 'l2';

/** torchmetrics' formula, written out: confidences and accuracies in, one number out. */
function referenceCalibration(conf: number[], acc: number[], nBins: number, norm: Norm): number {
  let out = 0;
  for (let i = 0; i <= nBins; i++) {
    const lower = i / nBins;
    const upper = (i + 1) / nBins;
    let n = 0;
    let a = 0;
    let c = 0;
    conf.forEach((p, j) => {
      if (p >= lower && (p < upper || i === nBins)) {
        n++;
        a += acc[j]!;
        c += p;
      }
    });
    if (n === 0) continue;
    const gap = Math.abs(a / n - c / n);
    const prop = n / conf.length;
    if (norm === 'max') out = Math.max(out, gap);
    else if (norm === 'l2') out += prop * gap * gap;
    else out += prop * gap;
  }
  return norm === 'l2' ? Math.sqrt(out) : out;
}

/**
 * Softmax confidences and argmax correctness of logits rows, computed here independently. The
 * prediction is the first largest logit (torch.argmax of the logits; probabilities can tie where
 * logits differ by a denormal).
 */
function multiclassConfidence(logits: number[][], labels: number[]): { conf: number[]; acc: number[] } {
  const conf: number[] = [];
  const acc: number[] = [];
  logits.forEach((row, n) => {
    const max = Math.max(...row);
    const exps = row.map((z) => Math.exp(z - max));
    const sum = exps.reduce((s, e) => s + e, 0);
    const probs = exps.map((e) => e / sum);
    const best = row.indexOf(max);
    conf.push(probs[best]!);
    acc.push(best === labels[n] ? 1 : 0);
  });
  return { conf, acc };
}

const logitRows = (classes: number) =>
  fc.array(
    fc.array(fc.double({ min: -4, max: 4, noNaN: true }), { minLength: classes, maxLength: classes }),
    {
      minLength: 1,
      maxLength: 40,
    },
  );

describe('calibrationError', () => {
  it('equals torchmetrics’ formula for multiclass logits, every norm and bin count', () => {
    fc.assert(
      fc.property(
        logitRows(4).chain((rows) =>
          fc.tuple(
            fc.constant(rows),
            fc.array(fc.integer({ min: 0, max: 3 }), { minLength: rows.length, maxLength: rows.length }),
          ),
        ),
        fc.constantFrom(1, 5, 15, 40),
        fc.constantFrom<Norm>('l1', 'max', 'l2'),
        ([rows, labels], nBins, norm) => {
          const { conf, acc } = multiclassConfidence(rows, labels);
          const x = { data: Float64Array.from(rows.flat()), shape: [rows.length, 4] };
          const value = calibrationError(x, Int32Array.from(labels), { nBins, norm });
          expect(value).toBeCloseTo(referenceCalibration(conf, acc, nBins, norm), 12);
        },
      ),
    );
  });

  it('equals the formula for binary probabilities (confidence p, accuracy y), edges included', () => {
    // Probabilities on edges of 10 bins, and 0 and 1 exactly.
    const p = [0, 0.1, 0.2, 0.25, 0.3, 0.5, 0.7, 0.9, 0.95, 1, 1, 0.6];
    const y = [0, 0, 1, 0, 1, 1, 0, 1, 1, 1, 0, 1];
    for (const norm of ['l1', 'max', 'l2'] as const) {
      const value = calibrationError(Float64Array.from(p), Int32Array.from(y), {
        nBins: 10,
        norm,
        scores: 'probabilities',
      });
      expect(value).toBeCloseTo(referenceCalibration(p, y, 10, norm), 14);
    }
  });

  it('bins confidences left-closed, b/n ≤ p < (b+1)/n, with exactly 1 in slot n', () => {
    expect(confidenceBin(0, 15)).toBe(0);
    expect(confidenceBin(1, 15)).toBe(15);
    expect(confidenceBin(1 - 2 ** -53, 15)).toBe(14);
    expect(confidenceBin(0.1, 10)).toBe(1);
    expect(confidenceBin(0.3, 10)).toBe(3);
    expect(confidenceBin(0.29999999999999993, 10)).toBe(2);
    for (let b = 1; b < 15; b++) {
      expect(confidenceBin(b / 15, 15)).toBe(b);
      expect(confidenceBin(b / 15 - 1e-12, 15)).toBe(b - 1);
    }
  });

  it('equals torchmetrics 1.x on a confidence of exactly 1 (its own bin)', () => {
    // torch + torchmetrics 1.x _binning_bucketize: ECE 0.525, MCE 1.0 (the old right-closed bins gave 0.475 for both).
    const x = { data: Float64Array.from([1, 0, 0.95, 0.05]), shape: [2, 2] };
    const y = Int32Array.from([1, 0]);
    expect(calibrationError(x, y, { scores: 'probabilities' })).toBeCloseTo(0.525, 15);
    expect(calibrationError(x, y, { scores: 'probabilities', norm: 'max' })).toBe(1);
  });

  it('merges per-batch states to the one-shot value', () => {
    const rows = [
      [2, 0.5, -1],
      [0.1, 0.2, 3],
      [1, 1, 1],
      [-2, 4, 0],
      [0.3, 0.2, 0.1],
    ];
    const labels = [0, 2, 1, 0, 0];
    const x = (from: number, to: number) => ({
      data: Float64Array.from(rows.slice(from, to).flat()),
      shape: [to - from, 3],
    });
    const whole = calibrationError(x(0, 5), Int32Array.from(labels), { nBins: 4 });
    const merged = mergeMetricStates(
      calibrationErrorPartial(x(0, 2), Int32Array.from(labels.slice(0, 2)), { nBins: 4 }),
      calibrationErrorPartial(x(2, 5), Int32Array.from(labels.slice(2)), { nBins: 4 }),
    );
    expect(finalizeMetric(merged)).toBeCloseTo(whole, 15);
  });
});

describe('calibrationError’s per-bin sums', () => {
  // The state must hold exactly the bits of adding every row to its bin's compensated sum in row
  // order (what makes any batch split merge bit-identically), for runs, alternations and repeats.
  it('hold the bits of a row-by-row compensated sum per bin, with ignored rows between', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.float({ min: -8, max: 8, noNaN: true }), fc.integer({ min: -1, max: 2 })), {
          maxLength: 60,
        }),
        fc.integer({ min: 1, max: 6 }),
        (rows, nBins) => {
          const logits = new Float64Array(rows.length * 3);
          const target = new Int32Array(rows.length);
          rows.forEach(([z, t], i) => {
            logits.set([z, 0, -z / 2], i * 3);
            target[i] = t < 0 ? -100 : t;
          });
          const input = { data: logits, shape: [rows.length, 3] };
          const state = calibrationErrorPartial(input, { data: target, shape: [rows.length] }, { nBins });
          const hi = new Float64Array(nBins + 1);
          const lo = new Float64Array(nBins + 1);
          const counts = new Float64Array(nBins + 1);
          for (let i = 0; i < rows.length; i++) {
            if (target[i] === -100) continue;
            // The row's confidence as the metric computes it: the sum of a one-row state.
            const one = calibrationErrorPartial(
              { data: logits.slice(i * 3, i * 3 + 3), shape: [1, 3] },
              { data: target.slice(i, i + 1), shape: [1] },
              { nBins },
            );
            const b = Array.from(one.counts.subarray(0, nBins + 1)).indexOf(1);
            const conf = one.sums[2 * b]!;
            counts[b]!++;
            const s = hi[b]! + conf;
            const bb = s - hi[b]!;
            lo[b]! += hi[b]! - (s - bb) + (conf - bb);
            hi[b] = s;
          }
          expect(Array.from(state.counts.subarray(0, nBins + 1))).toEqual(Array.from(counts));
          for (let b = 0; b <= nBins; b++) {
            expect(Object.is(state.sums[2 * b], hi[b])).toBe(true);
            expect(Object.is(state.sums[2 * b + 1], lo[b])).toBe(true);
          }
        },
      ),
    );
  });

  it('reject a counted row whose softmax is undefined (+∞, or all −∞) instead of leaving it out of the bins', () => {
    for (const bad of [
      [Number.POSITIVE_INFINITY, 0, 0],
      [Number.NEGATIVE_INFINITY, Number.NEGATIVE_INFINITY, Number.NEGATIVE_INFINITY],
    ]) {
      const logits = new Float32Array([3, 0, 0, ...bad]);
      const input = { data: logits, shape: [2, 3] };
      expect(() => calibrationErrorPartial(input, { data: new Int32Array([0, 1]), shape: [2] })).toThrow(
        expect.objectContaining({ code: 'INVALID_VALUE', row: 1 }),
      );
      // An ignored row is not counted, so its logits do not matter.
      const ignored = calibrationErrorPartial(input, { data: new Int32Array([0, -100]), shape: [2] });
      expect(ignored.counts.reduce((a, b) => a + b, 0)).toBe(2);
    }
  });

  it('keep the rows before a NaN row when it throws, as row by row', () => {
    const logits = new Float64Array([3, 0, 0, 3, 0, 0, Number.NaN, 0, 0]);
    const target = new Int32Array([0, 1, 0]);
    const state = calibrationErrorPartial(
      { data: logits.slice(0, 6), shape: [2, 3] },
      { data: target.slice(0, 2), shape: [2] },
    );
    expect(() =>
      calibrationErrorPartial({ data: logits, shape: [3, 3] }, { data: target, shape: [3] }, {}, state),
    ).toThrow(/batch row 2|row 2/);
    // Twice the first two rows: 2 samples and 1 correct each time.
    expect(Array.from(state.counts).reduce((a, b) => a + b, 0)).toBe(2 * (2 + 1));
  });
});
