// The element-wise losses over two float32 operands: one generic float64-accumulating driver for
// sums and one for per-element values, instantiated per loss with the loss's lane function.
// The lane functions mirror src/kernels/*.ts operation for operation, in float64.

import { foldSums, twoSumError2 } from './compensatedSum';
import { expF64x2, logF64x2 } from './vectorMath';

/** Two float32 values at `p`, widened to an f64x2. */
@inline
function load2(p: usize): v128 {
  return f64x2.promote_low_f32x4(v128.load64_zero(p));
}

/** One float32 value at `p`, widened, in lane 0 (lane 1 is 0). */
@inline
function load1(p: usize): v128 {
  return f64x2.promote_low_f32x4(v128.load32_zero(p));
}

/**
 * Σ over `n` elements of `op.lane(x, y, a, b)`, float64 with compensation; `px`/`py` are byte
 * addresses of float32 operands (any alignment). Compensating every element cost about 40% of
 * MSE's time on data in cache, so with `nonNegative` (lanes that are never negative: MSE, L1,
 * Huber, smooth L1) elements are summed plainly in blocks of 64 and each block's sum is added with
 * compensation: terms of one sign cannot cancel, so a block's rounding is at most ~16 ulp of its
 * sum. Terms of both signs (KL divergence) are compensated one by one: in a plain block, 1e30 and
 * −1e30 beside 0.5 would lose the 0.5.
 */
@inline
export function sumKernel<Op>(px: usize, py: usize, n: i32, a: f64, b: f64, nonNegative: bool): f64 {
  const op = changetype<Op>(0);
  const av = f64x2.splat(a);
  const bv = f64x2.splat(b);
  let s0 = f64x2.splat(0);
  let c0 = s0;
  let s1 = s0;
  let c1 = s0;
  let i = 0;
  // Four independent lane pairs per block hide the adds' latency.
  if (nonNegative) for (; i + 64 <= n; i += 64) {
    let b0 = f64x2.splat(0);
    let b1 = b0;
    let b2 = b0;
    let b3 = b0;
    for (let j = 0; j < 64; j += 8) {
      const o = (<usize>(i + j)) << 2;
      b0 = f64x2.add(b0, op.lane(load2(px + o), load2(py + o), av, bv));
      b1 = f64x2.add(b1, op.lane(load2(px + o + 8), load2(py + o + 8), av, bv));
      b2 = f64x2.add(b2, op.lane(load2(px + o + 16), load2(py + o + 16), av, bv));
      b3 = f64x2.add(b3, op.lane(load2(px + o + 24), load2(py + o + 24), av, bv));
    }
    const v0 = f64x2.add(b0, b2);
    const v1 = f64x2.add(b1, b3);
    c0 = twoSumError2(s0, v0, c0);
    s0 = f64x2.add(s0, v0);
    c1 = twoSumError2(s1, v1, c1);
    s1 = f64x2.add(s1, v1);
  }
  for (; i + 4 <= n; i += 4) {
    const o = (<usize>i) << 2;
    const v0 = op.lane(load2(px + o), load2(py + o), av, bv);
    const v1 = op.lane(load2(px + o + 8), load2(py + o + 8), av, bv);
    c0 = twoSumError2(s0, v0, c0);
    s0 = f64x2.add(s0, v0);
    c1 = twoSumError2(s1, v1, c1);
    s1 = f64x2.add(s1, v1);
  }
  if (i + 2 <= n) {
    const o = (<usize>i) << 2;
    const v0 = op.lane(load2(px + o), load2(py + o), av, bv);
    c0 = twoSumError2(s0, v0, c0);
    s0 = f64x2.add(s0, v0);
    i += 2;
  }
  let tail = 0.0;
  if (i < n) {
    const o = (<usize>i) << 2;
    tail = f64x2.extract_lane(op.lane(load1(px + o), load1(py + o), av, bv), 0);
  }
  return foldSums(s0, c0, s1, c1, tail, 0);
}

/** out[i] = op.lane(x[i], y[i], a, b) rounded to float32, for `n` elements at byte address `pout`. */
@inline
export function noneKernel<Op>(px: usize, py: usize, pout: usize, n: i32, a: f64, b: f64): void {
  const op = changetype<Op>(0);
  const av = f64x2.splat(a);
  const bv = f64x2.splat(b);
  let i = 0;
  for (; i + 2 <= n; i += 2) {
    const o = (<usize>i) << 2;
    const v = op.lane(load2(px + o), load2(py + o), av, bv);
    v128.store64_lane(pout + o, f32x4.demote_f64x2_zero(v), 0);
  }
  if (i < n) {
    const o = (<usize>i) << 2;
    const v = op.lane(load1(px + o), load1(py + o), av, bv);
    store<f32>(pout + o, <f32>f64x2.extract_lane(v, 0));
  }
}

/** (x − y)². */
@final
export class MseLane {
  @inline lane(x: v128, y: v128, _a: v128, _b: v128): v128 {
    const d = f64x2.sub(x, y);
    return f64x2.mul(d, d);
  }
}

/** |x − y|. */
@final
export class L1Lane {
  @inline lane(x: v128, y: v128, _a: v128, _b: v128): v128 {
    return f64x2.abs(f64x2.sub(x, y));
  }
}

/** Smooth L1 with β = a > 0: 0.5·z·z/β below β, z − 0.5·β from β on (β = 0 is L1Lane). */
@final
export class SmoothL1Lane {
  @inline lane(x: v128, y: v128, beta: v128, _b: v128): v128 {
    const z = f64x2.abs(f64x2.sub(x, y));
    const half = f64x2.splat(0.5);
    const quadratic = f64x2.div(f64x2.mul(f64x2.mul(half, z), z), beta);
    const linear = f64x2.sub(z, f64x2.mul(half, beta));
    return v128.bitselect(quadratic, linear, f64x2.lt(z, beta));
  }
}

/** Huber with δ = a: 0.5·z·z below δ, δ·(z − 0.5·δ) from δ on. */
@final
export class HuberLane {
  @inline lane(x: v128, y: v128, delta: v128, _b: v128): v128 {
    const z = f64x2.abs(f64x2.sub(x, y));
    const half = f64x2.splat(0.5);
    const quadratic = f64x2.mul(f64x2.mul(half, z), z);
    const linear = f64x2.mul(delta, f64x2.sub(z, f64x2.mul(half, delta)));
    return v128.bitselect(quadratic, linear, f64x2.lt(z, delta));
  }
}

/** KL divergence, probability target: xlogy(y, y) − y·x (0 for y = 0 before subtracting y·x). */
@final
export class KlDivLane {
  @inline lane(x: v128, y: v128, _a: v128, _b: v128): v128 {
    const ylogy = v128.bitselect(f64x2.splat(0), f64x2.mul(y, logF64x2(y)), f64x2.eq(y, f64x2.splat(0)));
    return f64x2.sub(ylogy, f64x2.mul(y, x));
  }
}

/** KL divergence, log target: e^y·(y − x). */
@final
export class KlDivLogTargetLane {
  @inline lane(x: v128, y: v128, _a: v128, _b: v128): v128 {
    return f64x2.mul(expF64x2(y), f64x2.sub(y, x));
  }
}
