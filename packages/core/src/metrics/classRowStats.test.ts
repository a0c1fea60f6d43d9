import { afterEach, describe, expect, it, vi } from 'vitest';
import { setKernelBackend } from '../wasm/kernelBackend.js';
import { wasmKernels } from '../wasm/wasmKernels.js';
import { loadKernelExports } from '../wasm/wasmModule.js';
import { accuracyPartial } from './accuracy.js';
import { calibrationErrorPartial } from './calibrationError.js';
import type { MulticlassOperands } from './classificationOperands.js';
import { type ClassRowStats, classRowStats, shareClassRowStats } from './classRowStats.js';
import { float32ExpSumAt } from './float32ExpSum.js';
import { argmaxAt, expSumAt } from './sampleScores.js';
import { topKAccuracyPartial } from './topKAccuracy.js';

afterEach(() => setKernelBackend('auto'));

/** Deterministic scores full of ties, signed zeros, infinities, NaN and terms that underflow. */
function scores(rows: number, classes: number, seed: number): Float32Array {
  let s = seed;
  const rand = (): number => {
    s = (s * 1103515245 + 12345) % 2 ** 31;
    return s / 2 ** 31;
  };
  const special = [0, -0, 1, 1, 2.5, -1e3, -800, Infinity, -Infinity, Number.NaN, 3.4e38, -3.4e38];
  const x = new Float32Array(rows * classes);
  for (let i = 0; i < x.length; i++) {
    const u = rand();
    x[i] =
      u < 0.08
        ? special[Math.floor(rand() * special.length)]!
        : u < 0.3
          ? Math.round(rand() * 4)
          : (rand() - 0.5) * 20;
  }
  return x;
}

function operands(
  x: Float32Array,
  rows: number,
  classes: number,
  stride: 1 | 2,
  seed: number,
): MulticlassOperands {
  const idx = new Int32Array(rows * stride);
  for (let r = 0; r < rows; r++) idx[r * stride] = r % 7 === 3 ? -100 : (r * 31 + seed) % classes;
  return { task: 'multiclass', x, outer: rows, classes, inner: 1, idx, stride, ignore: -100, rows };
}

/** The numbers each metric computed for itself before the shared pass, sample by sample. */
function reference(op: MulticlassOperands): ClassRowStats {
  const { x, outer, classes, idx, stride, ignore } = op;
  const best = new Int32Array(outer);
  const rank = new Int32Array(outer);
  const expSum = new Float64Array(outer);
  for (let n = 0; n < outer; n++) {
    const b = argmaxAt(x, n * classes, classes, 1);
    best[n] = b;
    if (b < 0) continue;
    const t = idx[n * stride]!;
    if (t !== ignore) {
      const s = x[n * classes + t]!;
      for (let c = 0; c < classes; c++) {
        const v = x[n * classes + c]!;
        if (v > s || (v === s && c < t)) rank[n]!++;
      }
    }
    expSum[n] = float32ExpSumAt(x, n * classes, classes, 1, x[n * classes + b]!);
  }
  return { best, rank, expSum };
}

function expectSameStats(op: MulticlassOperands, got: ClassRowStats, want: ClassRowStats): void {
  for (let n = 0; n < op.outer; n++) {
    const where = `row ${n}`;
    expect(got.best[n], where).toBe(want.best[n]);
    if (want.best[n]! < 0) continue;
    if (op.idx[n * op.stride] !== op.ignore) expect(got.rank[n], where).toBe(want.rank[n]);
    // Object.is: the same bits (NaN for a row of +Infinity, as Math.exp gives it).
    expect(
      Object.is(got.expSum![n], want.expSum![n]),
      `${where}: ${got.expSum![n]} vs ${want.expSum![n]}`,
    ).toBe(true);
  }
}

describe('classRowStats', () => {
  const shapes = [1, 2, 3, 4, 5, 7, 8, 9, 15, 16, 17, 33, 100];
  for (const backend of ['js', 'wasm', 'wasm-relaxed'] as const) {
    it(`gives each metric's own argmax, target rank and softmax denominator bit for bit (${backend})`, () => {
      if (backend === 'wasm' && loadKernelExports('simd') === null) return;
      if (backend === 'wasm-relaxed' && loadKernelExports('relaxed') === null) return;
      setKernelBackend(backend);
      for (const classes of shapes) {
        for (const stride of [1, 2] as const) {
          const rows = 257;
          const op = operands(scores(rows, classes, classes * 7 + stride), rows, classes, stride, classes);
          expectSameStats(op, classRowStats(op, true), reference(op));
        }
      }
    });
  }

  it('gives strided samples (N, C, d) the bits of the same scores in contiguous rows', () => {
    const rows = 90;
    const d = 3;
    for (const classes of [5, 8, 17, 100]) {
      const flat = operands(scores(rows * d, classes, classes), rows * d, classes, 1, classes);
      // Sample (n, k) of the strided layout is row n·d + k of the contiguous one.
      const x = new Float32Array(rows * classes * d);
      for (let n = 0; n < rows; n++)
        for (let k = 0; k < d; k++)
          for (let c = 0; c < classes; c++) x[(n * classes + c) * d + k] = flat.x[(n * d + k) * classes + c]!;
      const strided: MulticlassOperands = { ...flat, x, outer: rows, inner: d };
      const a = classRowStats(flat, true);
      const b = classRowStats(strided, true);
      for (let i = 0; i < rows * d; i++) {
        expect(b.best[i], `sample ${i}`).toBe(a.best[i]);
        if (a.best[i]! >= 0) expect(Object.is(b.expSum![i], a.expSum![i]), `sample ${i}`).toBe(true);
      }
    }
  });

  it('keeps float64 softmax denominators for float64 scores', () => {
    const op32 = operands(scores(64, 10, 9), 64, 10, 1, 1);
    const op: MulticlassOperands = { ...op32, x: Float64Array.from(op32.x) };
    const { best, expSum } = classRowStats(op, true);
    for (let n = 0; n < 64; n++) {
      if (best[n]! < 0) continue;
      expect(Object.is(expSum![n], expSumAt(op.x, n * 10, 10, 1, op.x[n * 10 + best[n]!]!)), `row ${n}`).toBe(
        true,
      );
    }
  });

  it('reads float32 rows in the WebAssembly kernel, once for several metrics of one pass', () => {
    const kernels = wasmKernels();
    if (kernels === null) return;
    const spy = vi.spyOn(kernels, 'classRowStats');
    try {
      const op = operands(scores(64, 10, 3), 64, 10, 1, 1);
      const x = { data: op.x.map((v) => (Number.isFinite(v) ? v : 0)), shape: [64, 10] };
      const t = { data: op.idx, shape: [64] };
      shareClassRowStats(true, () => [accuracyPartial(x, t), calibrationErrorPartial(x, t)]);
      expect(spy).toHaveBeenCalledTimes(1);
    } finally {
      spy.mockRestore();
    }
  });

  it('computes the numbers once per operands inside shareClassRowStats, and afresh outside', () => {
    const op = operands(scores(64, 10, 3), 64, 10, 1, 1);
    const again: MulticlassOperands = {
      ...op,
      x: new Float32Array(op.x.buffer),
      idx: new Int32Array(op.idx.buffer),
    };
    const [a, b, c] = shareClassRowStats(false, () => [
      classRowStats(op, false),
      classRowStats(again, false),
      classRowStats(op, true),
    ]);
    expect(b).toBe(a);
    // Asked for without the sums first, so the sums are computed when first needed.
    expect(c).not.toBe(a);
    expect(c.expSum).not.toBeNull();
    const [d, e] = shareClassRowStats(true, () => [classRowStats(op, false), classRowStats(op, true)]);
    expect(d.expSum).not.toBeNull();
    expect(e).toBe(d);
    expect(classRowStats(op, false)).not.toBe(classRowStats(op, false));
    // Other memory (another slice) is other operands.
    const other = { ...op, outer: 32, rows: 32, x: op.x.subarray(320) };
    const [f, g] = shareClassRowStats(false, () => [classRowStats(op, false), classRowStats(other, false)]);
    expect(g).not.toBe(f);
  });

  it('gives the metrics the same states inside a shared pass as alone', () => {
    const rows = 300;
    const op = operands(scores(rows, 12, 5), rows, 12, 1, 2);
    const x = { data: op.x.map((v) => (Number.isFinite(v) ? v : 0)), shape: [rows, 12] };
    const t = { data: op.idx, shape: [rows] };
    const alone = [accuracyPartial(x, t), topKAccuracyPartial(x, t, { k: 3 }), calibrationErrorPartial(x, t)];
    const together = shareClassRowStats(true, () => [
      accuracyPartial(x, t),
      topKAccuracyPartial(x, t, { k: 3 }),
      calibrationErrorPartial(x, t),
    ]);
    expect(together).toEqual(alone);
  });

  it('keeps a probabilities calibration error apart from the exps a logits one shares in a pass', () => {
    const rows = 200;
    const probabilities = new Float32Array(rows * 4);
    const labels = new Int32Array(rows);
    for (let n = 0; n < rows; n++) {
      const top = (n * 7) % 4;
      for (let c = 0; c < 4; c++) probabilities[n * 4 + c] = c === top ? 0.55 + (n % 9) * 0.05 : 0.05;
      labels[n] = n % 3 === 0 ? (top + 1) % 4 : top;
    }
    const x = { data: probabilities, shape: [rows, 4] };
    const t = { data: labels, shape: [rows] };
    const asProbabilities = { scores: 'probabilities' } as const;
    const alone = [calibrationErrorPartial(x, t), calibrationErrorPartial(x, t, asProbabilities)];
    const together = shareClassRowStats(true, () => [
      calibrationErrorPartial(x, t),
      calibrationErrorPartial(x, t, asProbabilities),
    ]);
    expect(together).toEqual(alone);
  });

  it('shares the stats between metrics of different ignore values: each counts its own rows', () => {
    // float64 logits (the JS row pass) and float32 (N, C, d) ones: both compute the stats in JS.
    const rows = 240;
    const f32 = scores(rows * 2, 5, 9).map((v) => (Number.isFinite(v) ? v : 0));
    const inputs = [
      { data: Float64Array.from(f32.subarray(0, rows * 5)), shape: [rows, 5] },
      { data: f32, shape: [rows, 5, 2] },
    ];
    for (const x of inputs) {
      const samples = x.data.length / 5;
      const t = {
        data: Int32Array.from({ length: samples }, (_, i) => (i * 7) % 5),
        shape: x.shape.filter((_, d) => d !== 1),
      };
      const alone = [accuracyPartial(x, t, { ignoreIndex: 0 }), topKAccuracyPartial(x, t, { k: 1 })];
      const together = shareClassRowStats(false, () => [
        accuracyPartial(x, t, { ignoreIndex: 0 }),
        topKAccuracyPartial(x, t, { k: 1 }),
      ]);
      expect(together, x.shape.join('×')).toEqual(alone);
    }
  });
});
