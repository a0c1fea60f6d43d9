/**
 * The WASM cross-entropy / NLL class-index kernels against crossEntropyIndexKernel and nllKernel of
 * src/kernels/ on random float32 rows (weights, ignoreIndex, label smoothing, C = 1…, odd C), and
 * at the edges torch defines: ignored rows never read, all ignored, ±80/±1000 and −inf logits, NaN;
 * and the accuracy of its float32 SIMD exp.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { crossEntropyIndexKernel } from '../kernels/crossEntropy.js';
import { nllKernel } from '../kernels/nll.js';
import { LossError } from '../LossError.js';
import { wasmKernels } from './wasmKernels.js';

const wasm = wasmKernels()!;

function near(got: number, exp: number, scale = Math.abs(exp)): boolean {
  if (Number.isNaN(exp)) return Number.isNaN(got);
  if (!Number.isFinite(exp)) return got === exp;
  return Math.abs(got - exp) <= 1e-6 + 2e-6 * scale;
}

interface Draw {
  x: Float32Array;
  rows: number;
  classes: number;
  idx: Int32Array;
  w: Float32Array | null;
  ignoreIndex: number;
  eps: number;
}

function weightSum(d: Draw): number {
  if (d.w === null) return d.classes;
  let s = 0;
  for (const v of d.w) s += v;
  return s;
}

/** Runs both kernels, sum and per-row forms, and compares them. */
function agree(d: Draw, loss: 'crossEntropy' | 'nll'): void {
  const { x, rows, classes, idx, w, ignoreIndex, eps } = d;
  const wSum = weightSum(d);
  const expAcc = new Float64Array(2);
  const expRows = new Float64Array(rows);
  const gotAcc = new Float64Array(2);
  const gotRows = new Float32Array(rows);
  if (loss === 'crossEntropy') {
    crossEntropyIndexKernel(x, rows, classes, 1, idx, 1, w, wSum, ignoreIndex, eps, expRows, expAcc);
    wasm.crossEntropyIndex(x, rows, classes, 1, idx, 1, w, wSum, ignoreIndex, eps, gotRows, gotAcc);
  } else {
    nllKernel(x, rows, classes, 1, idx, 1, w, ignoreIndex, expRows, expAcc);
    wasm.nll(x, rows, classes, 1, idx, 1, w, ignoreIndex, gotRows, gotAcc);
  }
  const bad: string[] = [];
  let scale = 0;
  for (let r = 0; r < rows; r++) {
    const exp = Math.fround(expRows[r]!);
    if (!near(gotRows[r]!, exp)) bad.push(`row ${r} (target ${idx[r]}): got ${gotRows[r]}, expected ${exp}`);
    scale += Math.abs(expRows[r]!);
  }
  expect(bad, bad.slice(0, 3).join('; ')).toEqual([]);
  expect(near(gotAcc[0]!, expAcc[0]!, scale), `Σ loss: got ${gotAcc[0]}, expected ${expAcc[0]}`).toBe(true);
  expect(gotAcc[1]).toBe(expAcc[1]);
}

const logit = fc.oneof(
  { weight: 6, arbitrary: fc.float({ min: -8, max: 8, noNaN: true }) },
  { weight: 1, arbitrary: fc.float({ min: -1000, max: 1000, noNaN: true }) },
  { weight: 1, arbitrary: fc.constantFrom(80, -80, 1000, -1000, 0) },
);

/** Random rows of C logits with targets (some equal to ignoreIndex), weights and smoothing. */
const draws: fc.Arbitrary<Draw> = fc
  .record({
    rows: fc.integer({ min: 0, max: 12 }),
    classes: fc.integer({ min: 1, max: 23 }),
    weighted: fc.boolean(),
    ignoreInside: fc.boolean(),
    eps: fc.oneof(fc.constant(0), fc.double({ min: 0, max: 1, noNaN: true }), fc.constant(1)),
  })
  .chain(({ rows, classes, weighted, ignoreInside, eps }) => {
    const ignoreIndex = ignoreInside ? classes - 1 : -100;
    return fc.record({
      x: fc
        .array(logit, { minLength: rows * classes, maxLength: rows * classes })
        .map((v) => Float32Array.from(v)),
      rows: fc.constant(rows),
      classes: fc.constant(classes),
      idx: fc
        .array(fc.oneof(fc.integer({ min: 0, max: classes - 1 }), fc.constant(ignoreIndex)), {
          minLength: rows,
          maxLength: rows,
        })
        .map((v) => Int32Array.from(v)),
      w: weighted
        ? fc
            .array(fc.float({ min: -2, max: 3, noNaN: true }), { minLength: classes, maxLength: classes })
            .map((v) => Float32Array.from(v))
        : fc.constant(null),
      ignoreIndex: fc.constant(ignoreIndex),
      eps: fc.constant(eps),
    });
  });

describe('WASM class-index kernels vs the JS kernels', () => {
  it('crossEntropy: log-sum-exp, weights, ignoreIndex, label smoothing', () => {
    fc.assert(
      fc.property(draws, (d) => agree(d, 'crossEntropy')),
      { numRuns: 300 },
    );
  });

  it('nll: gather, weights, ignoreIndex', () => {
    fc.assert(
      fc.property(draws, (d) => agree({ ...d, eps: 0 }, 'nll')),
      { numRuns: 200 },
    );
  });

  it('crossEntropy over many rows of C = 100, across chunk boundaries', () => {
    const rows = 1000;
    const classes = 100;
    const x = new Float32Array(rows * classes);
    for (let i = 0; i < x.length; i++) x[i] = Math.fround(Math.sin(i * 1.3) * 4);
    const idx = Int32Array.from({ length: rows }, (_, r) => (r * 37) % classes);
    agree({ x, rows, classes, idx, w: null, ignoreIndex: -100, eps: 0 }, 'crossEntropy');
    const w = Float32Array.from({ length: classes }, (_, c) => 0.5 + (c % 5));
    agree({ x, rows, classes, idx, w, ignoreIndex: 3, eps: 0.1 }, 'crossEntropy');
  });
});

describe('WASM class-index kernels at the edges', () => {
  const run = (
    x: Float32Array,
    classes: number,
    targets: number[],
    opts: { ignoreIndex?: number; eps?: number; w?: Float32Array } = {},
  ) => {
    const rows = targets.length;
    const out = new Float32Array(rows);
    const acc = new Float64Array(2);
    const w = opts.w ?? null;
    const wSum = w === null ? classes : w.reduce((s, v) => s + v, 0);
    wasm.crossEntropyIndex(
      x,
      rows,
      classes,
      1,
      Int32Array.from(targets),
      1,
      w,
      wSum,
      opts.ignoreIndex ?? -100,
      opts.eps ?? 0,
      out,
      acc,
    );
    return { out: [...out], sum: acc[0]!, weight: acc[1]! };
  };

  it('evaluates exp within 2 float32 ulp, in the 4-, 16- and 32-lane loops', () => {
    // e^x is read back from the loss, log Σ e^(x − 0), for x where it is not lost next to the 1s.
    // [0, x, x, x]: one vector, summed in float64: 1 + 3·e^x. [0, x, x, x, 0, x, …] of 16 or 32:
    // the wide loops add exps in float32 pairs, here 1 + 1 and e^x + e^x (exact): 2 + (n − 2)·e^x.
    for (let x = -15; x <= 0; x += 1 / 64 + 1e-5) {
      const xf = Math.fround(x);
      const exact = Math.exp(xf);
      const ulp = 2 ** (Math.floor(Math.log2(exact)) - 23);
      const four = (Math.exp(run(Float32Array.of(0, xf, xf, xf), 4, [0]).sum) - 1) / 3;
      expect(Math.abs(four - exact) / ulp, `x = ${xf}`).toBeLessThanOrEqual(2);
      for (const n of [16, 32]) {
        const row = new Float32Array(n).fill(xf);
        row[0] = 0;
        row[4] = 0;
        const e = (Math.exp(run(row, n, [0]).sum) - 2) / (n - 2);
        expect(Math.abs(e - exact) / ulp, `x = ${xf}, ${n} lanes`).toBeLessThanOrEqual(2);
      }
    }
  });

  it("gives torch's values for ±80 and ±1000 logits", () => {
    expect(run(Float32Array.of(80, -80, 0), 3, [1]).out[0]).toBeCloseTo(160, 5);
    expect(run(Float32Array.of(-80, 80, 80), 3, [0]).out[0]).toBeCloseTo(160.69315, 4);
    expect(run(Float32Array.of(1000, -1000, 0), 3, [0]).out[0]).toBeCloseTo(0, 30);
    expect(run(Float32Array.of(-1000, 1000, 0), 3, [0]).out[0]).toBe(2000);
  });

  it('never reads ignored rows: a NaN there does not leak, and all ignored sums to 0 with weight 0', () => {
    const x = Float32Array.of(Number.NaN, 1, 2, 0.5, 0.25, 3);
    const r = run(x, 3, [-100, 2]);
    expect(r.out[0]).toBe(0);
    expect(Number.isFinite(r.sum)).toBe(true);
    expect(r.weight).toBe(1);
    expect(run(x, 3, [-100, -100])).toEqual({ out: [0, 0], sum: 0, weight: 0 });
    expect(run(Float32Array.of(1, 2, 3, 4), 2, [1, 1], { ignoreIndex: 1 })).toEqual({
      out: [0, 0],
      sum: 0,
      weight: 0,
    });
  });

  it('propagates NaN and +inf logits as NaN, and a −inf target logit as +inf', () => {
    expect(run(Float32Array.of(0, Number.NaN, 1, 2, 3), 5, [0]).out[0]).toBeNaN();
    expect(run(Float32Array.of(0, Infinity, 1), 3, [0]).out[0]).toBeNaN();
    expect(run(Float32Array.of(-Infinity, -Infinity), 2, [0]).out[0]).toBeNaN();
    expect(run(Float32Array.of(-Infinity, 1, 2, 3, 4), 5, [0]).out[0]).toBe(Infinity);
  });

  it('keeps a −inf logit at another class finite, unless label smoothing sums over it', () => {
    const x = Float32Array.of(1, -Infinity, 2, 0.5, 0, 0, 0, 0, 1);
    expect(Number.isFinite(run(x, 9, [0]).out[0]!)).toBe(true);
    expect(run(x, 9, [0], { eps: 0.1 }).out[0]).toBe(Infinity);
  });

  it('gives −0 for C = 1, with or without smoothing', () => {
    expect(Object.is(run(Float32Array.of(3.5), 1, [0]).out[0], -0)).toBe(true);
    expect(Object.is(run(Float32Array.of(3.5), 1, [0], { eps: 0.2 }).out[0], -0)).toBe(true);
  });

  it('rejects a target outside [0, C) that is not ignoreIndex', () => {
    expect(() => run(Float32Array.of(1, 2), 2, [2])).toThrow(LossError);
    expect(() => run(Float32Array.of(1, 2, 3, 4), 2, [0, -1])).toThrow(/target -1 is out of bounds/);
  });

  it("reads BigInt64 targets' low words with stride 2", () => {
    const x = Float32Array.of(0.1, 0.2, 0.7, 3, 2, 1);
    const targets = new Int32Array(new BigInt64Array([2n, 0n]).buffer);
    const acc = new Float64Array(2);
    const ref = new Float64Array(2);
    wasm.crossEntropyIndex(x, 2, 3, 1, targets, 2, null, 3, -100, 0, null, acc);
    crossEntropyIndexKernel(x, 2, 3, 1, targets, 2, null, 3, -100, 0, null, ref);
    expect(acc[0]).toBeCloseTo(ref[0]!, 6);
    expect(acc[1]).toBe(2);
  });

  it('reads logits and targets resident in WASM memory in place, at a row offset', () => {
    const rows = 5000;
    const classes = 7;
    const { input, target } = wasm.classIndexInputs(rows, classes);
    for (let i = 0; i < input.length; i++) input[i] = Math.fround(Math.cos(i));
    for (let r = 0; r < rows; r++) target[r] = r % classes;
    const x = input.subarray(classes);
    const idx = target.subarray(1);
    const acc = new Float64Array(2);
    wasm.crossEntropyIndex(x, rows - 1, classes, 1, idx, 1, null, classes, -100, 0, null, acc);
    const ref = new Float64Array(2);
    crossEntropyIndexKernel(
      Float32Array.from(x),
      rows - 1,
      classes,
      1,
      Int32Array.from(idx),
      1,
      null,
      classes,
      -100,
      0,
      null,
      ref,
    );
    expect(Math.abs(acc[0]! - ref[0]!) / ref[0]!).toBeLessThan(1e-6);
    expect(acc[1]).toBe(rows - 1);
    const copied = new Float64Array(2);
    wasm.crossEntropyIndex(
      Float32Array.from(x),
      rows - 1,
      classes,
      1,
      Int32Array.from(idx),
      1,
      null,
      classes,
      -100,
      0,
      null,
      copied,
    );
    expect(copied).toEqual(acc);
  });

  it('refuses K-dim layouts (inner > 1), which stay on the JS kernel', () => {
    expect(() =>
      wasm.crossEntropyIndex(
        new Float32Array(8),
        1,
        2,
        4,
        new Int32Array(4),
        1,
        null,
        2,
        -100,
        0,
        null,
        new Float64Array(2),
      ),
    ).toThrow(RangeError);
  });
});
