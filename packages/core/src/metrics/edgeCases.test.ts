/**
 * The metrics' defined edge cases and typed errors: empty input, every target ignored, a class
 * without samples, NaN scores (naming the row), class indices out of range, shapes, options,
 * states that cannot merge, bounded state sizes, top-k ties and the stability of R².
 */
import { describe, expect, it } from 'vitest';
import { LossError } from '../LossError.js';
import { accuracy, accuracyPartial } from './accuracy.js';
import { auroc, aurocErrorBound, aurocPartial } from './auroc.js';
import { brierScore } from './brierScore.js';
import { calibrationError } from './calibrationError.js';
import { confusionMatrix, confusionMatrixPartial } from './confusionMatrix.js';
import { f1 } from './f1.js';
import { createMetricState, mergeMetricInto, mergeMetricStates } from './MetricState.js';
import { mae } from './mae.js';
import { finalizeMetric, METRICS } from './metrics.js';
import { pearson } from './pearson.js';
import { perplexity } from './perplexity.js';
import { precision } from './precision.js';
import { r2, r2Partial } from './r2.js';
import { recall } from './recall.js';
import { rmse } from './rmse.js';
import { topKAccuracy } from './topKAccuracy.js';

const logits = (rows: number[][]) => ({
  data: Float64Array.from(rows.flat()),
  shape: [rows.length, rows[0]?.length ?? 3],
});
const empty = { data: new Float64Array(0), shape: [0, 3] };
const noLabels = new Int32Array(0);

function thrown(f: () => unknown): LossError {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(LossError);
    return e as LossError;
  }
  throw new Error('expected a LossError');
}

describe('empty input and every target ignored', () => {
  it('ratio and mean metrics are NaN, never a 0 that looks real', () => {
    for (const m of [
      'accuracy',
      'topKAccuracy',
      'precision',
      'recall',
      'f1',
      'calibrationError',
      'brierScore',
      'auroc',
      'perplexity',
    ] as const) {
      expect(METRICS[m].value(METRICS[m].partial(empty, noLabels))).toBeNaN();
      const x = logits([
        [1, 2, 3],
        [3, 2, 1],
      ]);
      const ignored = METRICS[m].partial(x, new Int32Array([-100, -100]));
      expect(METRICS[m].value(ignored)).toBeNaN();
      expect(ignored.rows).toBe(2);
    }
    for (const m of ['mae', 'rmse', 'r2', 'pearson'] as const)
      expect(METRICS[m].value(METRICS[m].partial([], []))).toBeNaN();
  });

  it('an empty state is the identity of merge, and finalizes to NaN', () => {
    const s = accuracyPartial(logits([[1, 2, 3]]), new Int32Array([2]));
    expect(finalizeMetric(mergeMetricStates(createMetricState('accuracy', s.params), s))).toBe(1);
    expect(finalizeMetric(mergeMetricStates(s, createMetricState('accuracy', s.params)))).toBe(1);
    expect(finalizeMetric(createMetricState('accuracy'))).toBeNaN();
  });

  it('an empty batch of 0/1 targets keeps its labels: per label NaN, and it merges with the stream’s other batches', () => {
    const none = { data: new Float64Array(0), shape: [0, 2] };
    const x = { data: Float64Array.from([0.3, -1, 2, 1]), shape: [2, 2] };
    const y = { data: Float64Array.from([1, 0, 1, 1]), shape: [2, 2] };
    for (const m of [
      'accuracy',
      'precision',
      'recall',
      'f1',
      'brierScore',
      'auroc',
      'calibrationError',
    ] as const) {
      const { partial, value } = METRICS[m];
      const options =
        m === 'accuracy' || m === 'brierScore' || m === 'calibrationError' ? {} : { average: 'none' };
      const before = partial(none, none, options as never);
      expect(before.layout, m).toBe('binary:2');
      expect(value(partial(x, y, options as never, before)), m).toEqual(
        value(partial(x, y, options as never)),
      );
      const after = partial(x, y, options as never);
      mergeMetricInto(after, partial(none, none, options as never));
      expect(value(after), m).toEqual(value(partial(x, y, options as never)));
    }
    // Per label (or per class of one 0/1 target: 0 and 1) NaN, as many as with rows.
    expect(f1(none, none, { average: 'none' })).toEqual([Number.NaN, Number.NaN]);
    expect(f1([], [], { average: 'none' })).toEqual([Number.NaN, Number.NaN]);
    expect(auroc([], [], { average: 'none' })).toEqual([Number.NaN]);
  });

  it('confusionMatrix of nothing is C × C zeros; of an empty state, []', () => {
    expect(confusionMatrix(empty, noLabels)).toEqual([
      [0, 0, 0],
      [0, 0, 0],
      [0, 0, 0],
    ]);
    expect(finalizeMetric(createMetricState('confusionMatrix'))).toEqual([]);
  });
});

describe('a class without samples (scikit-learn zero_division default: 0)', () => {
  // Class 2 never a target; predicted once (row 2). Class 1 never a target nor predicted.
  const x = logits([
    [3, 0, 0, 0],
    [0, 0, 0, 3],
    [0, 0, 5, 0],
    [3, 0, 0, 0],
  ]);
  const y = new Int32Array([0, 3, 0, 3]);
  it('per class: precision 0 where never predicted right, recall 0 where no samples', () => {
    // Predictions 0, 3, 2, 0 (values from scikit-learn 1.2).
    expect(precision(x, y, { average: 'none' })).toEqual([0.5, 0, 0, 1]);
    expect(recall(x, y, { average: 'none' })).toEqual([0.5, 0, 0, 0.5]);
  });
  it('macro skips classes absent from targets and predictions (class 1), keeps a predicted-only class (2)', () => {
    expect(precision(x, y, { average: 'macro' })).toBe(0.5);
    expect(recall(x, y, { average: 'macro' })).toBeCloseTo(1 / 3, 15);
    expect(f1(x, y, { average: 'weighted' })).toBeCloseTo(0.5833333333333333, 15);
  });
  it('auroc leaves classes without positives or negatives out of the macro mean', () => {
    const per = auroc(x, y, { average: 'none' }) as number[];
    expect(per[1]).toBeNaN();
    expect(per[2]).toBeNaN();
    expect(auroc(x, y)).toBeCloseTo((per[0]! + per[3]!) / 2, 15);
  });
});

describe('typed errors', () => {
  it('a NaN score names its row (every classification metric)', () => {
    const x = logits([
      [1, 2, 3],
      [1, Number.NaN, 0],
      [0, 0, 1],
    ]);
    for (const m of Object.values(METRICS)) {
      if (['mae', 'rmse', 'r2', 'pearson'].includes(m.name)) continue;
      const e = thrown(() => m.partial(x, new Int32Array([0, 1, 2])));
      expect(e.code).toBe('INVALID_VALUE');
      expect(e.row).toBe(1);
      expect(e.loss).toBe(m.name);
      expect(e.hint).toBeDefined();
    }
  });

  it('a counted row whose softmax is undefined (+∞, or all −∞) names its row where a metric needs the softmax', () => {
    const inf = Number.POSITIVE_INFINITY;
    for (const bad of [
      [0, inf, 1],
      [-inf, -inf, -inf],
    ]) {
      const x = logits([[1, 2, 3], bad, [0, 0, 1]]);
      for (const name of ['auroc', 'brierScore', 'calibrationError', 'perplexity']) {
        const e = thrown(() => METRICS[name as keyof typeof METRICS].partial(x, new Int32Array([0, 1, 2])));
        expect([name, e.code, e.row, e.detail]).toEqual([
          name,
          'INVALID_VALUE',
          1,
          expect.stringMatching(/softmax is undefined/),
        ]);
      }
    }
  });

  it('perplexity is +∞ where torch gives inf: a −∞ logit on a counted target', () => {
    const x = logits([
      [1, 2, 3],
      [Number.NEGATIVE_INFINITY, 0, 1],
    ]);
    expect(perplexity(x, new Int32Array([0, 0]))).toBe(Number.POSITIVE_INFINITY);
  });

  it('the scores of an ignored row are never read: NaN there (a fully masked padding position) is no error, as in torch', () => {
    // torch.nn.functional.cross_entropy(ignore_index=-100) and torchmetrics skip such rows too.
    const withNaN = logits([
      [1, 2, 3],
      [Number.NaN, 0, 0],
      [3, 1, 0],
    ]);
    const without = logits([
      [1, 2, 3],
      [3, 1, 0],
    ]);
    const t = new Int32Array([0, -100, 0]);
    const u = new Int32Array([0, 0]);
    for (const m of [
      'accuracy',
      'topKAccuracy',
      'precision',
      'recall',
      'f1',
      'confusionMatrix',
      'calibrationError',
      'brierScore',
      'auroc',
    ] as const) {
      expect(METRICS[m].value(METRICS[m].partial(withNaN, t)), m).toEqual(
        METRICS[m].value(METRICS[m].partial(without, u)),
      );
    }
    // Binary 0/1 targets: an ignored label's score is not read either.
    expect(accuracy([0.5, Number.NaN, -1], [1, -1, 0], { ignoreIndex: -1 })).toBe(
      accuracy([0.5, -1], [1, 0]),
    );
    // A counted row's NaN is still an error naming it.
    expect(thrown(() => accuracy(withNaN, new Int32Array([0, 1, 0]))).row).toBe(1);
  });

  it('NaN in binary scores and regression values names the row', () => {
    expect(thrown(() => accuracy([0.5, Number.NaN], [1, 0])).row).toBe(1);
    expect(
      thrown(() =>
        f1(
          { data: Float64Array.from([0, 1, 2, Number.NaN]), shape: [2, 2] },
          { data: new Int32Array(4), shape: [2, 2] },
        ),
      ).row,
    ).toBe(1);
    const e = thrown(() => mae([1, 2, 3], [1, Number.NaN, 3]));
    expect([e.code, e.row, e.argument]).toEqual(['INVALID_VALUE', 1, 'target']);
  });

  it('class index out of range', () => {
    const e = thrown(() =>
      f1(
        logits([
          [1, 2, 3],
          [1, 2, 3],
        ]),
        new Int32Array([0, 3]),
      ),
    );
    expect([e.code, e.row]).toEqual(['TARGET_OUT_OF_RANGE', 1]);
    expect(thrown(() => accuracy([0.2, 0.7], [1, 2])).code).toBe('TARGET_OUT_OF_RANGE');
  });

  it('shapes', () => {
    expect(thrown(() => accuracy(logits([[1, 2, 3]]), new Int32Array([0, 1]))).code).toBe('SHAPE_MISMATCH');
    expect(thrown(() => rmse([1, 2], [1, 2, 3])).code).toBe('SHAPE_MISMATCH');
    expect(thrown(() => topKAccuracy([0.1, 0.9], [0, 1])).code).toBe('SHAPE_MISMATCH');
  });

  it('options', () => {
    expect(thrown(() => accuracy(logits([[1, 2, 3]]), [0], { treshold: 0.5 } as never)).code).toBe(
      'INVALID_OPTION',
    );
    expect(thrown(() => f1(logits([[1, 2, 3]]), [0], { average: 'samples' as never })).argument).toBe(
      'average',
    );
    // scikit-learn's 'binary' is only defined for one 0/1 target per sample.
    expect(thrown(() => f1(logits([[1, 2, 3]]), [0], { average: 'binary' })).argument).toBe('average');
    expect(thrown(() => f1(logits([[1, 2, 3]]), [[0, 1, 1]], { average: 'binary' })).argument).toBe(
      'average',
    );
    expect(thrown(() => topKAccuracy(logits([[1, 2, 3]]), [0], { k: 0 })).argument).toBe('k');
    expect(thrown(() => calibrationError(logits([[1, 2, 3]]), [0], { nBins: 1.5 })).argument).toBe('nBins');
    expect(thrown(() => auroc(logits([[1, 2, 3]]), [0], { thresholds: 1 })).argument).toBe('thresholds');
  });

  it('probabilities outside [0, 1] with scores: probabilities', () => {
    const e = thrown(() => brierScore([0.5, 1.5], [1, 1], { scores: 'probabilities' }));
    expect([e.code, e.row]).toEqual(['INPUT_OUT_OF_RANGE', 1]);
    // Thresholded binary metrics too: a logit read as a probability would be a wrong number.
    for (const m of [accuracy, precision, recall, f1]) {
      const t = thrown(() => m([0.5, 2.5, 0.2], [1, 1, 0], { scores: 'probabilities' }));
      expect([t.code, t.row]).toEqual(['INPUT_OUT_OF_RANGE', 1]);
    }
  });

  it('states of another metric, other options or another class count do not merge', () => {
    const x = logits([[1, 2, 3]]);
    const a = accuracyPartial(x, [0]);
    expect(thrown(() => mergeMetricInto(a, confusionMatrixPartial(x, [0]))).code).toBe('STATE_MISMATCH');
    expect(thrown(() => mergeMetricInto(a, accuracyPartial(x, [0], { ignoreIndex: 1 }))).code).toBe(
      'STATE_MISMATCH',
    );
    expect(thrown(() => accuracyPartial(logits([[1, 2]]), [0], {}, a)).code).toBe('STATE_MISMATCH');
    expect(thrown(() => finalizeMetric(createMetricState('nope'))).code).toBe('STATE_MISMATCH');
  });

  it('a 0/1 target out of range names a target shape other than the input’s', () => {
    const oneD = thrown(() => auroc([0.2, 0.7, 0.1], [0, 2, 1]));
    expect(oneD.code).toBe('TARGET_OUT_OF_RANGE');
    expect(oneD.hint).toContain('scores of shape [N, C]');
    expect(oneD.hint).not.toContain('give it the shape');
    const twoD = thrown(() =>
      auroc(
        logits([
          [0.2, 0.7],
          [0.1, 0.3],
        ]),
        logits([
          [0, 2],
          [1, 0],
        ]),
      ),
    );
    expect(twoD.hint).toMatch(/give it the shape \[2\]/);
  });

  it('state sizes are bounded: too many classes for a confusion matrix or AUROC histograms', () => {
    const wide = { data: new Float64Array(5000), shape: [1, 5000] };
    expect(thrown(() => confusionMatrix(wide, [0])).code).toBe('INVALID_OPTION');
    expect(thrown(() => auroc(wide, [0], { thresholds: 2000 })).code).toBe('INVALID_OPTION');
    expect(aurocPartial(wide, [0]).counts.length).toBe(2 * 5000 * 1000);
  });
});

describe('defined behaviour', () => {
  it('top-k ties go to the lower class index (k = 1 equals argmax accuracy)', () => {
    const x = logits([
      [1, 1, 1, 0],
      [0, 2, 2, 2],
    ]);
    expect(topKAccuracy(x, [1, 1], { k: 1 })).toBe(0.5);
    expect(topKAccuracy(x, [1, 3], { k: 2 })).toBe(0.5);
    expect(topKAccuracy(x, [2, 3], { k: 2 })).toBe(0);
    expect(topKAccuracy(x, [2, 3], { k: 3 })).toBe(1);
    expect(accuracy(x, [0, 1])).toBe(1);
  });

  it('binary accuracy applies the threshold to sigmoid(logit), or to probabilities (1 only above it)', () => {
    expect(accuracy([0, -0.1, 2], [0, 0, 1])).toBe(1);
    expect(accuracy([0.5, 0.2], [1, 0], { scores: 'probabilities', threshold: 0.2 })).toBe(1);
  });

  it('a binary head of shape (N, 1) against (N) targets is read as (N): the binary metrics, not one class', () => {
    const z = [2.1, -0.3, 0.7, -1.5, 0.2, 1.1];
    const y = [1, 0, 1, 0, 0, 1];
    const head = { data: Float64Array.from(z), shape: [z.length, 1] };
    for (const name of [
      'accuracy',
      'precision',
      'recall',
      'f1',
      'brierScore',
      'auroc',
      'calibrationError',
    ] as const) {
      const { partial, value } = METRICS[name];
      expect(value(partial(head, y)), name).toEqual(value(partial(z, y)));
      expect(partial(head, y).layout, name).toBe('binary:1');
    }
    // Probabilities too, with the threshold.
    const p = { data: Float64Array.from([0.9, 0.2, 0.6]), shape: [3, 1] };
    expect(accuracy(p, [1, 0, 0], { scores: 'probabilities', threshold: 0.7 })).toBe(1);
    // Only (N, 1) against (N): (N, 1) against (N, 1) was binary already; (N, 1, d) stays one class.
    expect(accuracy(head, { data: Float64Array.from(y), shape: [6, 1] })).toBe(accuracy(z, y));
    expect(
      thrown(() =>
        accuracy(
          { data: new Float64Array(4), shape: [2, 1, 2] },
          { data: Int32Array.from([0, 1, 0, 0]), shape: [2, 2] },
        ),
      ).code,
    ).toBe('TARGET_OUT_OF_RANGE');
  });

  it('auroc is exact (bound 0) when no bin holds both classes, and within its bound otherwise', () => {
    const p = [0.1, 0.4, 0.35, 0.8];
    const y = [0, 0, 1, 1];
    const s = aurocPartial(p, y, { scores: 'probabilities', grid: 'linear', thresholds: 101 });
    expect(finalizeMetric(s)).toBe(0.75);
    expect(aurocErrorBound(s)).toBe(0);
    const coarse = aurocPartial(p, y, { scores: 'probabilities', grid: 'linear', thresholds: 2 });
    // Two thresholds (0, 1): every probability below 1 in one bin, every pair a tie.
    expect(finalizeMetric(coarse)).toBe(0.5);
    expect(Math.abs(0.5 - 0.75)).toBeLessThanOrEqual(aurocErrorBound(coarse) as number);
  });

  it('perplexity is exp of the mean cross-entropy, float32 logits rounding to float32', () => {
    const x = { data: Float32Array.from([2, 0.5, -1, 0.1, 0.2, 3]), shape: [2, 3] };
    const v = perplexity(x, [0, 2]);
    expect(v).toBe(Math.fround(v));
    expect(v).toBeCloseTo(Math.exp(0.1754564), 6);
  });

  it('r2 stays accurate far from zero where naive sums of squares cancel', () => {
    const n = 1000;
    const y = Float64Array.from({ length: n }, (_, i) => 1e9 + Math.sin(i));
    const x = Float64Array.from(y, (v, i) => v + 0.1 * Math.cos(3 * i));
    let state = r2Partial(x.subarray(0, 1), y.subarray(0, 1));
    for (let i = 1; i < n; i += 37) r2Partial(x.subarray(i, i + 37), y.subarray(i, i + 37), {}, state);
    state = mergeMetricStates(state, createMetricState('r2'));
    // Two-pass reference on the whole data.
    const mean = y.reduce((a, b) => a + b, 0) / n;
    let tot = 0;
    let res = 0;
    for (let i = 0; i < n; i++) {
      tot += (y[i]! - mean) ** 2;
      res += (y[i]! - x[i]!) ** 2;
    }
    expect(finalizeMetric(state)).toBeCloseTo(1 - res / tot, 10);
    expect(r2(x, y)).toBeCloseTo(1 - res / tot, 10);
    // Naive Σy² − (Σy)²/n loses every digit of the variance here.
    let s = 0;
    let s2 = 0;
    for (const v of y) {
      s += v;
      s2 += v * v;
    }
    expect(Math.abs(s2 - (s * s) / n - tot) / tot).toBeGreaterThan(1e-3);
  });

  it('r2 of constant targets follows scikit-learn (1 for a perfect fit, else 0); pearson is NaN', () => {
    expect(r2([3, 3, 3], [3, 3, 3])).toBe(1);
    expect(r2([3, 2, 3], [3, 3, 3])).toBe(0);
    expect(pearson([1, 2, 3], [3, 3, 3])).toBeNaN();
    expect(pearson([1, 2, 3], [2, 4, 6])).toBeCloseTo(1, 15);
  });
});
