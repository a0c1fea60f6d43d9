/**
 * The WASM element-wise kernels against the JS reference kernels of src/kernels/ on random float32
 * data: per-element values within float32 tolerance (rel 2e-6 + abs 1e-6), sums within the same
 * tolerance scaled by Σ|l| (the long-sum allowance), at odd lengths and unaligned byte offsets.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  binaryCrossEntropyWithLogitsNone,
  binaryCrossEntropyWithLogitsSum,
} from '../kernels/binaryCrossEntropyWithLogits.js';
import { huberNone, huberSum } from '../kernels/huber.js';
import { klDivNone, klDivSum } from '../kernels/klDiv.js';
import { l1None, l1Sum } from '../kernels/l1.js';
import { mseNone, mseSum } from '../kernels/mse.js';
import { smoothL1None, smoothL1Sum } from '../kernels/smoothL1.js';
import type { FloatArray } from '../tensor/tensor.js';
import { type Float32ElementwiseKernels, wasmKernels } from './wasmKernels.js';

const wasm = wasmKernels()!;

interface Reference<P> {
  sum(x: FloatArray, y: FloatArray, n: number, p: P): number;
  none(x: FloatArray, y: FloatArray, out: FloatArray, p: P): void;
}

/** `|got − exp| ≤ abs + rel·scale`, NaN matching NaN and infinities matching exactly. */
function near(got: number, exp: number, scale = Math.abs(exp)): boolean {
  if (Number.isNaN(exp)) return Number.isNaN(got);
  if (!Number.isFinite(exp)) return got === exp;
  return Math.abs(got - exp) <= 1e-6 + 2e-6 * scale;
}

/** `data` copied to a fresh buffer `offset` elements in, so its byteOffset is not 0 (nor 16-aligned). */
function shifted(data: Float32Array, offset: number): Float32Array {
  const out = new Float32Array(data.length + offset).subarray(offset);
  out.set(data);
  return out;
}

/** Checks `sum` and `none` of a WASM kernel against the JS reference on one draw. */
function agree<P>(
  wasmKernel: Float32ElementwiseKernels<P>,
  js: Reference<P>,
  x: Float32Array,
  y: Float32Array,
  p: P,
): void {
  const n = x.length;
  const expNone = new Float32Array(n);
  js.none(x, y, expNone, p);
  const exact = new Float64Array(n);
  js.none(x, y, exact, p);
  const gotNone = new Float32Array(n);
  wasmKernel.none(x, y, gotNone, p);
  const bad: string[] = [];
  for (let i = 0; i < n; i++) {
    if (!near(gotNone[i]!, expNone[i]!))
      bad.push(`[${i}] x=${x[i]} y=${y[i]}: got ${gotNone[i]}, expected ${expNone[i]}`);
  }
  expect(bad, bad.slice(0, 3).join('; ')).toEqual([]);
  let scale = 0;
  for (const v of exact) scale += Math.abs(v);
  const exp = js.sum(x, y, n, p);
  const got = wasmKernel.sum(x, y, n, p);
  expect(near(got, exp, scale), `sum: got ${got}, expected ${exp}`).toBe(true);
}

const anyFloat = fc.float({ noDefaultInfinity: false, noNaN: false });
const moderate = fc.float({ min: -50, max: 50, noNaN: true });

/** Two float32 operands of one random length (0…70: every tail length of the 4-wide loop). */
function operands(value: fc.Arbitrary<number>, target: fc.Arbitrary<number> = value) {
  return fc
    .tuple(fc.integer({ min: 0, max: 70 }), fc.integer({ min: 0, max: 5 }), fc.integer({ min: 0, max: 5 }))
    .chain(([n, ox, oy]) =>
      fc.tuple(
        fc.array(value, { minLength: n, maxLength: n }).map((v) => shifted(Float32Array.from(v), ox)),
        fc.array(target, { minLength: n, maxLength: n }).map((v) => shifted(Float32Array.from(v), oy)),
      ),
    );
}

const mix = fc.oneof(anyFloat, moderate, fc.constantFrom(0, -0, 1, -1, 0.5));

describe('WASM element-wise kernels vs the JS kernels', () => {
  it('mse', () => {
    fc.assert(
      fc.property(operands(mix), ([x, y]) =>
        agree(wasm.mse, { sum: mseSum, none: mseNone }, x, y, undefined),
      ),
    );
  });

  it('l1', () => {
    fc.assert(
      fc.property(operands(mix), ([x, y]) => agree(wasm.l1, { sum: l1Sum, none: l1None }, x, y, undefined)),
    );
  });

  it('smoothL1, β = 0 included', () => {
    const beta = fc.oneof(fc.constant(0), fc.float({ min: Math.fround(1e-3), max: 10, noNaN: true }));
    fc.assert(
      fc.property(operands(mix), beta, ([x, y], b) =>
        agree(wasm.smoothL1, { sum: smoothL1Sum, none: smoothL1None }, x, y, { beta: b }),
      ),
    );
  });

  it('huber', () => {
    const delta = fc.float({ min: Math.fround(1e-3), max: 10, noNaN: true });
    fc.assert(
      fc.property(operands(mix), delta, ([x, y], d) =>
        agree(wasm.huber, { sum: huberSum, none: huberNone }, x, y, { delta: d }),
      ),
    );
  });

  it('klDiv with probability targets (y = 0, y < 0, ±inf and NaN included)', () => {
    const target = fc.oneof(fc.float({ min: 0, max: 1, noNaN: true }), fc.constant(0), anyFloat);
    fc.assert(
      fc.property(operands(mix, target), ([x, y]) =>
        agree(wasm.klDiv, { sum: klDivSum, none: klDivNone }, x, y, { logTarget: false }),
      ),
    );
  });

  it('klDiv with log targets', () => {
    const target = fc.oneof(
      fc.float({ min: -100, max: 100, noNaN: true }),
      fc.constantFrom(-Infinity, Number.NaN, 0),
    );
    fc.assert(
      fc.property(operands(mix, target), ([x, y]) =>
        agree(wasm.klDiv, { sum: klDivSum, none: klDivNone }, x, y, { logTarget: true }),
      ),
    );
  });

  it('binaryCrossEntropyWithLogits with broadcast weight and posWeight', () => {
    const view = fc
      .tuple(
        fc.integer({ min: 1, max: 6 }),
        fc.integer({ min: 1, max: 6 }),
        fc.float({ min: -3, max: 3, noNaN: true }),
      )
      .chain(([inner, period, v]) =>
        fc
          .array(fc.float({ min: -3, max: 3, noNaN: true }), { minLength: period, maxLength: period })
          .map((d) => ({ data: period === 1 ? Float64Array.of(v) : Float64Array.from(d), inner, period })),
      );
    const sized = fc
      .tuple(view, fc.option(view, { nil: null }), fc.integer({ min: 1, max: 3 }))
      .chain(([w, pw, reps]) => {
        const n = reps * w.inner * w.period * (pw === null ? 1 : pw.inner * pw.period);
        const values = fc
          .array(mix, { minLength: n, maxLength: n })
          .map((v) => shifted(Float32Array.from(v), 1));
        const targets = fc
          .array(fc.oneof(fc.float({ min: 0, max: 1, noNaN: true }), fc.constantFrom(0, 1), anyFloat), {
            minLength: n,
            maxLength: n,
          })
          .map((v) => Float32Array.from(v));
        return fc.tuple(values, targets, fc.constant({ weight: w, posWeight: pw }));
      });
    fc.assert(
      fc.property(sized, ([x, y, p]) =>
        agree(
          wasm.binaryCrossEntropyWithLogits,
          { sum: binaryCrossEntropyWithLogitsSum, none: binaryCrossEntropyWithLogitsNone },
          x,
          y,
          p,
        ),
      ),
      { numRuns: 80 },
    );
  });
});

describe('WASM element-wise kernels at the edges', () => {
  const unit = { weight: { data: Float64Array.of(1), inner: 1, period: 1 }, posWeight: null };

  it('keeps BCE-with-logits tiny terms to full relative precision and propagates ±inf as torch', () => {
    const x = Float32Array.of(-20, 80, Infinity, Infinity, -Infinity, Number.NaN, -1000);
    const y = Float32Array.of(0, 1, 1, 0, 1, 0, 0);
    const out = new Float32Array(x.length);
    wasm.binaryCrossEntropyWithLogits.none(x, y, out, unit);
    const exp = new Float64Array(x.length);
    binaryCrossEntropyWithLogitsNone(x, y, exp, unit);
    expect(Math.abs(out[0]! - 2.0611536203e-9) / 2.0611536203e-9).toBeLessThan(1e-6);
    expect(out[1]).toBeCloseTo(Math.fround(exp[1]!), 40);
    expect([...out.slice(2, 6)]).toEqual([Number.NaN, Infinity, Number.NaN, Number.NaN]);
    expect(out[6]).toBe(0);
  });

  it('walks long weight runs, long weight periods and patterns too large to lay out flat', () => {
    const layouts = [
      { inner: 20, period: 3, reps: 5 },
      { inner: 1, period: 100, reps: 3 },
      { inner: 3, period: 30000, reps: 1 },
      { inner: 70, period: 1000, reps: 1 },
    ];
    for (const { inner, period, reps } of layouts) {
      const n = inner * period * reps;
      const x = Float32Array.from({ length: n }, (_, i) => Math.fround(Math.sin(i) * 6));
      const y = Float32Array.from({ length: n }, (_, i) => Math.fround((Math.cos(i * 0.3) + 1) / 2));
      const weight = { data: Float64Array.from({ length: period }, (_, j) => 0.25 + (j % 7)), inner, period };
      const posWeight = { data: Float64Array.from({ length: 3 }, (_, j) => 1 + j), inner: 1, period: 3 };
      for (const p of [
        { weight, posWeight: null },
        { weight, posWeight },
      ]) {
        const exp = binaryCrossEntropyWithLogitsSum(x, y, n, p);
        const got = wasm.binaryCrossEntropyWithLogits.sum(x, y, n, p);
        expect(Math.abs(got - exp) / exp, `inner ${inner}, period ${period}`).toBeLessThan(1e-12);
      }
    }
  });

  it('reproduces KL divergence special values: 0·log 0 = 0, 0·inf = NaN, y < 0 gives NaN', () => {
    const x = Float32Array.of(3, Infinity, 1, -2);
    const y = Float32Array.of(0, 0, -0.5, Infinity);
    const out = new Float32Array(4);
    wasm.klDiv.none(x, y, out, { logTarget: false });
    const exp = new Float32Array(4);
    klDivNone(x, y, exp, { logTarget: false });
    expect([...out]).toEqual([...exp]);
  });

  it('does not overflow e^y of a log target that float64 still holds', () => {
    const x = Float32Array.of(99);
    const y = Float32Array.of(100);
    const got = wasm.klDiv.sum(x, y, 1, { logTarget: true });
    expect(got / Math.exp(100) - 1).toBeLessThan(1e-12);
  });

  it('sums long inputs across chunk boundaries as the JS kernel does', () => {
    const n = 3 * 16384 + 7;
    const x = new Float32Array(n);
    const y = new Float32Array(n);
    for (let i = 0; i < n; i++) {
      x[i] = Math.fround(Math.sin(i) * 3);
      y[i] = Math.fround(Math.cos(i * 0.7));
    }
    const exp = mseSum(x, y, n);
    expect(Math.abs(wasm.mse.sum(x, y, n, undefined) - exp) / exp).toBeLessThan(1e-14);
    const hub = huberSum(x, y, n, { delta: 1 });
    expect(Math.abs(wasm.huber.sum(x, y, n, { delta: 1 }) - hub) / hub).toBeLessThan(1e-14);
    const out = new Float32Array(n);
    wasm.mse.none(x, y, out, undefined);
    const ref = new Float32Array(n);
    mseNone(x, y, ref);
    expect(out).toEqual(ref);
  });

  it('reads operands resident in WASM memory in place, bit-identical to copying them in', () => {
    const n = 2 * 16384 + 1001;
    const { x, y } = wasm.elementwiseInputs(n);
    for (let i = 0; i < n; i++) {
      x[i] = Math.fround(i / 7 - 50);
      y[i] = Math.fround(Math.sqrt(i));
    }
    const copyX = Float32Array.from(x);
    const copyY = Float32Array.from(y);
    const resident = wasm.l1.sum(x, y, n, undefined);
    expect(resident).toBe(wasm.l1.sum(copyX, copyY, n, undefined));
    expect(Math.abs(resident - l1Sum(copyX, copyY, n)) / resident).toBeLessThan(1e-14);
  });

  it('keeps a small KL term beside two huge ones that cancel, as the JS kernel does (signed terms are compensated one by one)', () => {
    // Terms −0.5, −1e30 and +1e30 in one 64-element block: summed plainly, the −0.5 is lost.
    for (const logTarget of [false, true]) {
      const n = 64;
      const x = new Float32Array(n);
      const y = new Float32Array(n).fill(logTarget ? 0 : 1);
      x[0] = 0.5;
      x[8] = 1e30;
      x[16] = -1e30;
      expect(wasm.klDiv.sum(x, y, n, { logTarget })).toBe(-0.5);
      expect(klDivSum(x, y, n, { logTarget })).toBe(-0.5);
    }
  });

  it('only sums the first n elements, as the JS kernels do', () => {
    const x = Float32Array.of(1, 2, 3, 100);
    const y = new Float32Array(4);
    expect(wasm.mse.sum(x, y, 3, undefined)).toBe(14);
  });
});
