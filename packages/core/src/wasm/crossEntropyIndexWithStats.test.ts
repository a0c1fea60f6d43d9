import { afterEach, describe, expect, it, vi } from 'vitest';
import { crossEntropyPartial } from '../losses/crossEntropy.js';
import { accuracyPartial } from '../metrics/accuracy.js';
import { calibrationErrorPartial } from '../metrics/calibrationError.js';
import { shareClassRowStats } from '../metrics/classRowStats.js';
import { float32ExpSumAt } from '../metrics/float32ExpSum.js';
import type { MetricState } from '../metrics/MetricState.js';
import { topKAccuracyPartial } from '../metrics/topKAccuracy.js';
import { setKernelBackend } from './kernelBackend.js';
import { type ClassRowStatsOut, wasmKernels } from './wasmKernels.js';
import { loadKernelExports } from './wasmModule.js';

afterEach(() => setKernelBackend('auto'));

function lcg(seed: number): () => number {
  let s = seed;
  return () => {
    s = (s * 1103515245 + 12345) % 2 ** 31;
    return s / 2 ** 31;
  };
}

/** Scores full of ties, signed zeros (a row's max among them), infinities, NaN and underflowing terms. */
function scores(rows: number, classes: number, seed: number, nan: boolean): Float32Array {
  const rand = lcg(seed);
  const special = [0, -0, 0, -0, 1, 2.5, -1e3, -800, Infinity, -Infinity, 3.4e38, -3.4e38];
  if (nan) special.push(Number.NaN);
  const x = new Float32Array(rows * classes);
  for (let r = 0; r < rows; r++) {
    // Every fifth row at most zero, so its max is a zero of either sign.
    const nonPositive = r % 5 === 2;
    for (let c = 0; c < classes; c++) {
      const u = rand();
      let v =
        u < 0.08
          ? special[Math.floor(rand() * special.length)]!
          : u < 0.3
            ? Math.round(rand() * 4)
            : (rand() - 0.5) * 20;
      if (nonPositive && v > 0) v = rand() < 0.5 ? 0 : -0;
      x[r * classes + c] = v;
    }
  }
  return x;
}

function targets(rows: number, classes: number, stride: 1 | 2, ignore: number, seed: number): Int32Array {
  const rand = lcg(seed);
  const idx = new Int32Array(rows * stride);
  for (let r = 0; r < rows; r++) idx[r * stride] = rand() < 0.1 ? ignore : Math.floor(rand() * classes);
  return idx;
}

function sameBits(a: ArrayLike<number>, b: ArrayLike<number>, what: string): void {
  expect(a.length, what).toBe(b.length);
  for (let i = 0; i < a.length; i++)
    expect(Object.is(a[i], b[i]), `${what}[${i}]: ${a[i]} vs ${b[i]}`).toBe(true);
}

describe('crossEntropyIndexWithStats', () => {
  for (const backend of ['wasm', 'wasm-relaxed'] as const) {
    it(`gives crossEntropyIndex's and classRowStats' bits from one read (${backend})`, () => {
      if (loadKernelExports(backend === 'wasm' ? 'simd' : 'relaxed') === null) return;
      setKernelBackend(backend);
      const k = wasmKernels()!;
      // Rows past one chunk (16384 / C) for the wide rows, every remainder of 32 for the narrow ones.
      const shapes = [1, 2, 3, 4, 5, 7, 8, 9, 12, 15, 16, 17, 20, 24, 28, 31, 32, 33, 47, 63, 100];
      let seed = 1;
      for (const classes of shapes) {
        for (const stride of [1, 2] as const) {
          for (const [eps, weighted, ignore, nan, withOut] of [
            [0, false, -100, false, false],
            [0.1, true, -100, false, true],
            [0, true, 0, true, false],
            [0.25, false, 1, false, true],
          ] as const) {
            seed++;
            const rows = classes >= 33 ? 700 : 300;
            const x = scores(rows, classes, seed, nan);
            const idx = targets(rows, classes, stride, ignore, seed);
            const rand = lcg(seed + 99);
            const w = weighted ? Float64Array.from({ length: classes }, () => rand() * 2) : null;
            const wSum = w === null ? classes : w.reduce((a, b) => a + b, 0);
            const what = `C=${classes} stride=${stride} eps=${eps} w=${weighted} ignore=${ignore} nan=${nan}`;
            const accA = new Float64Array(2);
            const outA = withOut ? new Float32Array(rows) : null;
            k.crossEntropyIndex(x, rows, classes, 1, idx, stride, w, wSum, ignore, eps, outA, accA);
            const want: ClassRowStatsOut = {
              best: new Int32Array(rows),
              rank: new Int32Array(rows),
              expSum: new Float64Array(rows),
            };
            k.classRowStats(x, rows, classes, idx, stride, want.best, want.rank, want.expSum);
            for (const withExp of [true, false]) {
              const accB = new Float64Array(2);
              const outB = withOut ? new Float32Array(rows) : null;
              const got: ClassRowStatsOut = {
                best: new Int32Array(rows),
                rank: new Int32Array(rows),
                expSum: withExp ? new Float64Array(rows) : null,
              };
              k.crossEntropyIndexWithStats(
                x,
                rows,
                classes,
                idx,
                stride,
                w,
                wSum,
                ignore,
                eps,
                outB,
                accB,
                got,
              );
              sameBits(accB, accA, `${what}: loss sums`);
              if (outA !== null) sameBits(outB!, outA, `${what}: per-row losses`);
              sameBits(got.best, want.best, `${what}: best`);
              sameBits(got.rank, want.rank, `${what}: rank`);
              if (withExp) sameBits(got.expSum!, want.expSum!, `${what}: expSum`);
            }
          }
        }
      }
    });
  }

  it('fills every row of batches longer than one stats region (copied out a region at a time)', () => {
    const k = wasmKernels();
    if (k === null) return;
    // C = 1: 16,384-row chunks and regions; C = 100: 163-row chunks, 16,300-row regions; C = 3: one region.
    for (const [classes, rows] of [
      [1, 40000],
      [100, 40000],
      [3, 9000],
    ] as const) {
      const x = scores(rows, classes, classes, false);
      const idx = targets(rows, classes, 2, -100, classes);
      // The first argmax, the target's rank and the softmax denominator, row by row.
      const best = new Int32Array(rows);
      const rank = new Int32Array(rows);
      const expSum = new Float64Array(rows);
      for (let r = 0; r < rows; r++) {
        const base = r * classes;
        let b = 0;
        for (let c = 1; c < classes; c++) if (x[base + c]! > x[base + b]!) b = c;
        best[r] = b;
        const t = idx[2 * r]!;
        if (t >= 0) {
          const s = x[base + t]!;
          for (let c = 0; c < classes; c++) if (x[base + c]! > s || (x[base + c] === s && c < t)) rank[r]!++;
        }
        expSum[r] = float32ExpSumAt(x, base, classes, 1, x[base + b]!);
      }
      const fused = {
        best: new Int32Array(rows),
        rank: new Int32Array(rows),
        expSum: new Float64Array(rows),
      };
      const acc = new Float64Array(2);
      k.crossEntropyIndexWithStats(x, rows, classes, idx, 2, null, classes, -100, 0, null, acc, fused);
      const apart = {
        best: new Int32Array(rows),
        rank: new Int32Array(rows),
        expSum: new Float64Array(rows),
      };
      k.classRowStats(x, rows, classes, idx, 2, apart.best, apart.rank, apart.expSum);
      for (const [name, got] of [
        ['fused', fused],
        ['classRowStats', apart],
      ] as const) {
        // The first row that differs (−1: none), as one assertion per array.
        const differs = (a: ArrayLike<number>, b: ArrayLike<number>) =>
          Array.prototype.findIndex.call(a, (v: number, i: number) => !Object.is(v, b[i]));
        expect(differs(got.best, best), `C=${classes} ${name}: best`).toBe(-1);
        expect(differs(got.rank, rank), `C=${classes} ${name}: rank`).toBe(-1);
        expect(differs(got.expSum, expSum), `C=${classes} ${name}: expSum`).toBe(-1);
      }
    }
  });

  it('throws the out-of-range target as crossEntropyIndex does', () => {
    const k = wasmKernels();
    if (k === null) return;
    const x = scores(10, 4, 3, false);
    const idx = Int32Array.from([0, 1, 2, 3, 0, 7, 1, 2, 3, 0]);
    const stats = { best: new Int32Array(10), rank: new Int32Array(10), expSum: null };
    const call = () =>
      k.crossEntropyIndexWithStats(x, 10, 4, idx, 1, null, 4, -100, 0, null, new Float64Array(2), stats);
    expect(call).toThrow(expect.objectContaining({ code: 'TARGET_OUT_OF_RANGE', row: 5 }));
  });
});

describe('cross-entropy in a shared pass with the classification metrics', () => {
  it('computes the metrics numbers in its own read, the states as without sharing', () => {
    const k = wasmKernels();
    if (k === null) return;
    const classes = 37;
    const spy = vi.spyOn(k, 'classRowStats');
    try {
      // Batch after batch (smaller, larger): each scope's numbers are its own, whatever arrays it reuses.
      for (const [rows, seed] of [
        [500, 11],
        [300, 12],
        [2000, 13],
        [500, 14],
      ] as const) {
        // No +∞: it leaves a row's softmax undefined, which calibrationError refuses.
        const finite = scores(rows, classes, seed, false).map((v) =>
          v === Number.POSITIVE_INFINITY ? 3e38 : v,
        );
        const x = { data: finite, shape: [rows, classes] };
        const t = { data: BigInt64Array.from(targets(rows, classes, 1, -100, seed), BigInt), shape: [rows] };
        const options = { labelSmoothing: 0.05 };
        const pass = () => [
          crossEntropyPartial(x, t, options),
          accuracyPartial(x, t),
          topKAccuracyPartial(x, t, { k: 5 }),
          calibrationErrorPartial(x, t),
        ];
        const alone = pass();
        spy.mockClear();
        const fused = shareClassRowStats(true, pass, { fromLosses: true });
        expect(spy).not.toHaveBeenCalled();
        expect(fused).toEqual(alone);
        // Without `fromLosses` the loss reads alone and the metrics once.
        expect(shareClassRowStats(true, pass)).toEqual(alone);
        expect(spy).toHaveBeenCalledTimes(1);
      }
    } finally {
      spy.mockRestore();
    }
  });
});

describe('cross-entropy summing the metrics in a shared pass (a tally)', () => {
  // Rows over several kernel chunks (16384 / 37 rows each), ties, ignored targets, −∞ scores.
  const classes = 37;
  const rows = 2000;
  const finite = (seed: number) =>
    scores(rows, classes, seed, false).map((v) => (v === Number.POSITIVE_INFINITY ? 3e38 : v));
  const labels = (seed: number) => ({
    data: BigInt64Array.from(targets(rows, classes, 1, -100, seed), BigInt),
    shape: [rows],
  });
  const tally = { nBins: 15, k: 5 };

  /** The tally the pass's loss kernel summed (null when it summed none), and the pass's result. */
  function fusedPass<T>(pass: () => T): { tally: Float64Array | null; result: T } {
    const k = wasmKernels()!;
    const spy = vi.spyOn(k, 'crossEntropyIndexWithStats');
    try {
      const result = shareClassRowStats(true, pass, { fromLosses: true, tally });
      const stats = spy.mock.calls[0]?.[11] as ClassRowStatsOut | undefined;
      return { tally: stats?.tally?.values ?? null, result };
    } finally {
      spy.mockRestore();
    }
  }

  it('sums accuracy, top-k and calibration counts as the metrics loops do, bit for bit', () => {
    if (wasmKernels() === null) return;
    for (const seed of [21, 22, 23]) {
      const x = { data: finite(seed), shape: [rows, classes] };
      const t = labels(seed);
      const weight = new Float32Array(classes).map((_, c) => 0.5 + (c % 7) / 3);
      const pass = () => [
        crossEntropyPartial(x, t, { labelSmoothing: 0.1, weight }),
        accuracyPartial(x, t),
        topKAccuracyPartial(x, t, { k: 5 }),
        calibrationErrorPartial(x, t),
      ];
      const alone = pass();
      const { tally: sums, result } = fusedPass(pass);
      expect(result).toEqual(alone);
      const [acc, topK, ece] = alone.slice(1) as MetricState[];
      // The tally: [nBins, k, counted, correct, hits, apart, counts…, sums…].
      expect(sums).not.toBeNull();
      expect(Array.from(sums!.subarray(0, 6))).toEqual([
        15,
        5,
        acc!.counts[1],
        acc!.counts[0],
        topK!.counts[0],
        0,
      ]);
      sameBits(sums!.subarray(6, 6 + 32), ece!.counts, 'counts');
      sameBits(sums!.subarray(6 + 32), ece!.sums, 'sums');
    }
  });

  it('leaves rows with NaN or +∞ to the metrics loops, which count or throw as without it', () => {
    if (wasmKernels() === null) return;
    const x = { data: finite(31), shape: [rows, classes] };
    const t = labels(31);
    // A +∞ score (an undefined softmax) in row 700: accuracy and top-k count it as before.
    x.data[700 * classes + 3] = Number.POSITIVE_INFINITY;
    const counts = () => [
      crossEntropyPartial(x, t),
      accuracyPartial(x, t),
      topKAccuracyPartial(x, t, { k: 5 }),
    ];
    const { tally: sums, result } = fusedPass(counts);
    expect(sums![5]).toBe(1);
    expect(result).toEqual(counts());
    const withEce = () => [crossEntropyPartial(x, t), calibrationErrorPartial(x, t)];
    expect(() => fusedPass(withEce)).toThrow(expect.objectContaining({ loss: 'calibrationError', row: 700 }));
    // NaN in an ignored row: never read, as in torch; the same states as apart.
    x.data[700 * classes + 3] = 1;
    t.data[900] = -100n;
    x.data[900 * classes] = Number.NaN;
    expect(fusedPass(counts).result).toEqual(counts());
    // NaN in a counted row: accuracy refuses it, naming the row.
    t.data[900] = 1n;
    expect(() => fusedPass(counts)).toThrow(expect.objectContaining({ row: 900 }));
  });

  it('leaves metrics of another ignoreIndex, k or nBins to their loops', () => {
    if (wasmKernels() === null) return;
    const x = { data: finite(41), shape: [rows, classes] };
    // Targets of 3 where the others are ignored: the loss counts them, the metrics of ignoreIndex 3 do not.
    const t = { data: BigInt64Array.from(targets(rows, classes, 1, 3, 41), BigInt), shape: [rows] };
    const pass = () => [
      crossEntropyPartial(x, t),
      accuracyPartial(x, t, { ignoreIndex: 3 }),
      topKAccuracyPartial(x, t, { k: 2 }),
      calibrationErrorPartial(x, t, { nBins: 4 }),
      calibrationErrorPartial(x, t, { ignoreIndex: 3 }),
    ];
    const alone = pass();
    expect(fusedPass(pass).result).toEqual(alone);
  });
});
