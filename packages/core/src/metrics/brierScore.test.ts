/**
 * brierScore's batch sums are compensated, so merged per-batch states give the same bits for any
 * split of the rows (a plain float64 batch sum differed by tens of ulp between splits).
 */
import { describe, expect, it } from 'vitest';
import { brierScore, brierScorePartial } from './brierScore.js';
import type { MetricState } from './MetricState.js';
import { finalizeMetric } from './metrics.js';

/** Deterministic probabilities in (0, 1) and 0/1 targets (a 32-bit LCG: no Math.random). */
function sample(n: number): { p: Float64Array; y: Int32Array } {
  const p = new Float64Array(n);
  const y = new Int32Array(n);
  let s = 12345;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    p[i] = (s + 0.5) / 2 ** 32;
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    y[i] = s >>> 31;
  }
  return { p, y };
}

describe('brierScore', () => {
  it('gives the same bits for any split of the rows into batches', () => {
    const n = 20000;
    const { p, y } = sample(n);
    const whole = brierScore(p, y, { scores: 'probabilities' });
    for (const size of [1000, 3000, 7777]) {
      let state: MetricState | undefined;
      for (let from = 0; from < n; from += size) {
        const to = Math.min(n, from + size);
        state = brierScorePartial(
          p.subarray(from, to),
          y.subarray(from, to),
          { scores: 'probabilities' },
          state,
        );
      }
      expect(finalizeMetric(state!)).toBe(whole);
    }
  });
});
