import { LossError } from '../LossError.js';
import { compensatedValue, twoSumError } from '../state/compensatedSum.js';
import type { FloatArray } from '../tensor/tensor.js';
import { kernelModule } from './kernelBackend.js';
import { Slot, WasmArena } from './WasmArena.js';
import { type KernelExports, type LinearMemory, loadKernelExports } from './wasmModule.js';

/**
 * Float32 kernels of an element-wise loss, mirroring the JS kernels in `src/kernels/`: the float64
 * compensated sum over `n` elements, and the per-element values rounded to float32.
 */
export interface Float32ElementwiseKernels<P> {
  sum(x: Float32Array, y: Float32Array, n: number, p: P): number;
  none(x: Float32Array, y: Float32Array, out: Float32Array, p: P): void;
}

/** A float operand broadcast into the loss's shape (element i reads `data[⌊i / inner⌋ % period]`). */
export interface BroadcastWeight {
  readonly data: FloatArray;
  readonly inner: number;
  readonly period: number;
}

/**
 * `crossEntropyIndexKernel` of `src/kernels/crossEntropy.ts` for float32 logits, same arguments:
 * `outer × inner` samples of `classes` logits, int32 targets `idx` read every `stride` words, class
 * weights `w` (or `null`) with their sum `wSum`, label smoothing `eps`; Σ L and Σ w[y] of the
 * non-ignored samples to `acc[0]`, `acc[1]`, each sample's L to `out` when given (ignored ones 0).
 * Only `inner = 1` (input `(N, C)` or `(C)`: contiguous rows); keep K-dim inputs on the JS kernel.
 */
export type Float32CrossEntropyIndexKernel = (
  x: Float32Array,
  outer: number,
  classes: number,
  inner: number,
  idx: Int32Array,
  stride: number,
  w: FloatArray | null,
  wSum: number,
  ignoreIndex: number,
  eps: number,
  out: Float32Array | null,
  acc: Float64Array,
) => void;

/** `nllKernel` of `src/kernels/nll.ts` for float32 log-probabilities, same arguments; `inner = 1` only. */
export type Float32NllKernel = (
  x: Float32Array,
  outer: number,
  classes: number,
  inner: number,
  idx: Int32Array,
  stride: number,
  w: FloatArray | null,
  ignoreIndex: number,
  out: Float32Array | null,
  acc: Float64Array,
) => void;

/**
 * The WebAssembly SIMD kernels (float32 operands, float64 accumulation). Operands may be any
 * Float32Array; those already in the module's memory (see {@link WasmKernels.elementwiseInputs})
 * are read in place, others are copied through the arena in cache-sized chunks.
 */
export interface WasmKernels {
  /** The module's linear memory, where resident operands live. */
  readonly memory: LinearMemory;
  /**
   * Float32Array views of `length` elements over the arena's `x` and `y` regions, for an IO layer
   * to read a batch straight into (zero-copy from file to kernel); pass them to the kernels as
   * operands. They stay valid until the memory grows: take both views before filling them, and
   * take new ones for each batch.
   */
  elementwiseInputs(length: number): { x: Float32Array; y: Float32Array };
  /** As {@link elementwiseInputs}, for `rows × classes` logits and `rows` int32 class indices. */
  classIndexInputs(rows: number, classes: number): { input: Float32Array; target: Int32Array };
  /**
   * `bytes` bytes of WASM memory (16-byte aligned) that no kernel ever writes, for an IO layer to
   * read a whole record batch body into: typed-array views of its buffers are then resident
   * operands of every kernel, whatever their role. Reused across calls (it only grows). A kernel
   * call may grow the memory, which detaches the returned view but keeps its contents and its
   * `byteOffset`: re-view `memory.buffer` there when {@link memory}'s buffer has changed.
   */
  ioBuffer(bytes: number): Uint8Array;
  readonly mse: Float32ElementwiseKernels<unknown>;
  readonly l1: Float32ElementwiseKernels<unknown>;
  /** β ≥ 0 (β = 0 is L1), as `src/kernels/smoothL1.ts`. */
  readonly smoothL1: Float32ElementwiseKernels<{ readonly beta: number }>;
  readonly huber: Float32ElementwiseKernels<{ readonly delta: number }>;
  readonly klDiv: Float32ElementwiseKernels<{ readonly logTarget: boolean }>;
  /** torch 2.x's log_sigmoid form; weight (`UNIT_VIEW` for none) and posWeight broadcast. */
  readonly binaryCrossEntropyWithLogits: Float32ElementwiseKernels<{
    readonly weight: BroadcastWeight;
    readonly posWeight: BroadcastWeight | null;
  }>;
  /** log_softmax over each row, then NLL with weights, ignoreIndex and label smoothing. */
  readonly crossEntropyIndex: Float32CrossEntropyIndexKernel;
  /**
   * The classification metrics' per-sample numbers over `rows` rows of `classes` contiguous float32
   * scores (targets `idx[r·stride]`): `best[r]` the first argmax or −1 for a row with NaN, `rank[r]`
   * the target's rank (0 for a target outside [0, C)), and with `expSum` Σ exp(x_c − max) from
   * float32 exps added in float64, bit for bit as src/metrics/float32ExpSum.ts computes it.
   */
  readonly classRowStats: (
    x: Float32Array,
    rows: number,
    classes: number,
    idx: Int32Array,
    stride: number,
    best: Int32Array,
    rank: Int32Array,
    expSum: Float64Array | null,
  ) => void;
  /** NLL over rows of log-probabilities. */
  readonly nll: Float32NllKernel;
  /**
   * {@link crossEntropyIndex} (`inner = 1`) and {@link classRowStats} over the same rows in one
   * read of each row (the exps shared): the same bits as the two calls, the metrics' numbers
   * written to `stats` (its `expSum` computed when not `null`). Throws as crossEntropyIndex does.
   */
  readonly crossEntropyIndexWithStats: (
    x: Float32Array,
    rows: number,
    classes: number,
    idx: Int32Array,
    stride: number,
    w: FloatArray | null,
    wSum: number,
    ignoreIndex: number,
    eps: number,
    out: Float32Array | null,
    acc: Float64Array,
    stats: ClassRowStatsOut,
  ) => void;
}

/** Where {@link WasmKernels.crossEntropyIndexWithStats} writes the metrics' per-row numbers. */
export interface ClassRowStatsOut {
  readonly best: Int32Array;
  readonly rank: Int32Array;
  readonly expSum: Float64Array | null;
  /**
   * The metrics' sums over the rows, added by the kernel in row order (src/pass/classRowTally.ts
   * lays them out): its first two values, the bins and k, are set by the caller, the rest zeros.
   */
  readonly tally?: { readonly values: Float64Array } | undefined;
}

// Elements per operand per kernel call: 64 KiB of float32, so a copied chunk's operands and output
// stay in L2 between the copy and the kernel. Resident operands are walked in the same chunks, so
// a sum is bit-identical whether its operands were copied in or already in WASM memory.
const CHUNK = 16384;
// Weight patterns up to this many elements are laid out flat (inner = 1) so the SIMD loop reads
// them contiguously instead of in short constant runs.
const PATTERN_LIMIT = 65536;
const CONSTANT_INNER = 0x7fffffff;

type SumExport = (px: number, py: number, n: number, a: number) => number;
type NoneExport = (px: number, py: number, pout: number, n: number, a: number) => void;

function checkLength(name: string, view: ArrayBufferView & { length: number }, n: number): void {
  if (view.length < n) {
    throw new RangeError(
      `${name} has ${view.length} elements, the kernel needs ${n}${view.byteLength === 0 && n > 0 ? ' (a view detached by memory growth?)' : ''}`,
    );
  }
}

/** Σ over `n` elements of a kernel export, chunk by chunk, copying the operands that are not resident. */
function elementwiseSum(
  arena: WasmArena,
  kernel: SumExport,
  x: Float32Array,
  y: Float32Array,
  n: number,
  a: number,
): number {
  checkLength('x', x, n);
  checkLength('y', y, n);
  const xIn = arena.owns(x);
  const yIn = arena.owns(y);
  const xAt = x.byteOffset;
  const yAt = y.byteOffset;
  const chunk = Math.min(n, CHUNK);
  const px = xIn ? 0 : arena.reserve(Slot.x, chunk * 4);
  const py = yIn ? 0 : arena.reserve(Slot.y, chunk * 4);
  const f32 = arena.f32;
  let s = 0;
  let c = 0;
  for (let i = 0; i < n; i += chunk) {
    const len = Math.min(chunk, n - i);
    if (!xIn) f32.set(x.subarray(i, i + len), px >> 2);
    if (!yIn) f32.set(y.subarray(i, i + len), py >> 2);
    const v = kernel(xIn ? xAt + 4 * i : px, yIn ? yAt + 4 * i : py, len, a);
    const t = s + v;
    c += twoSumError(s, v, t);
    s = t;
  }
  return compensatedValue(s, c);
}

/** Per-element values of a kernel export into `out`, chunk by chunk, copying what is not resident. */
function elementwiseNone(
  arena: WasmArena,
  kernel: NoneExport,
  x: Float32Array,
  y: Float32Array,
  out: Float32Array,
  a: number,
): void {
  const n = out.length;
  checkLength('x', x, n);
  checkLength('y', y, n);
  const xIn = arena.owns(x);
  const yIn = arena.owns(y);
  const outIn = arena.owns(out);
  if (xIn && yIn && outIn) {
    kernel(x.byteOffset, y.byteOffset, out.byteOffset, n, a);
    return;
  }
  const xAt = x.byteOffset;
  const yAt = y.byteOffset;
  const outAt = out.byteOffset;
  const chunk = Math.min(n, CHUNK);
  const px = xIn ? 0 : arena.reserve(Slot.x, chunk * 4);
  const py = yIn ? 0 : arena.reserve(Slot.y, chunk * 4);
  const po = outIn ? 0 : arena.reserve(Slot.out, chunk * 4);
  const f32 = arena.f32;
  for (let i = 0; i < n; i += chunk) {
    const len = Math.min(chunk, n - i);
    if (!xIn) f32.set(x.subarray(i, i + len), px >> 2);
    if (!yIn) f32.set(y.subarray(i, i + len), py >> 2);
    kernel(xIn ? xAt + 4 * i : px, yIn ? yAt + 4 * i : py, outIn ? outAt + 4 * i : po, len, a);
    if (!outIn) out.set(f32.subarray(po >> 2, (po >> 2) + len), i);
  }
}

function elementwise<P>(
  arena: WasmArena,
  sum: SumExport,
  none: NoneExport,
  param: (p: P) => number,
): Float32ElementwiseKernels<P> {
  return {
    sum: (x, y, n, p) => elementwiseSum(arena, sum, x, y, n, param(p)),
    none: (x, y, out, p) => elementwiseNone(arena, none, x, y, out, param(p)),
  };
}

/** A broadcast weight laid out in the arena as the BCE kernel walks it. */
interface ArenaWeight {
  ptr: number;
  inner: number;
  period: number;
}

/**
 * Copies a broadcast weight into `slot` as float64 and normalises its pattern: a constant becomes
 * one value with an unbounded run; short patterns are laid out flat and repeated, so SIMD segments
 * are long.
 */
function placeWeight(arena: WasmArena, slot: Slot, w: BroadcastWeight, into: ArenaWeight): void {
  if (w.period === 1) {
    into.ptr = arena.reserve(slot, 8);
    arena.f64[into.ptr >> 3] = w.data[0]!;
    into.inner = CONSTANT_INNER;
    into.period = 1;
    return;
  }
  const pattern = w.inner * w.period;
  if ((w.inner > 1 && w.inner < 16) || (w.inner === 1 && w.period < 64)) {
    if (pattern <= PATTERN_LIMIT) {
      const copies = Math.max(1, Math.floor(1024 / pattern));
      into.ptr = arena.reserve(slot, 8 * pattern * copies);
      const f64 = arena.f64;
      let at = into.ptr >> 3;
      for (let r = 0; r < copies; r++) {
        for (let j = 0; j < w.period; j++) {
          const v = w.data[j]!;
          for (let k = 0; k < w.inner; k++) f64[at++] = v;
        }
      }
      into.inner = 1;
      into.period = pattern * copies;
      return;
    }
  }
  into.ptr = arena.reserve(slot, 8 * w.period);
  arena.f64.set(w.data.subarray(0, w.period), into.ptr >> 3);
  into.inner = w.inner;
  into.period = w.period;
}

function bceWithLogits(
  arena: WasmArena,
  ex: KernelExports,
): Float32ElementwiseKernels<{
  readonly weight: BroadcastWeight;
  readonly posWeight: BroadcastWeight | null;
}> {
  const w: ArenaWeight = { ptr: 0, inner: 1, period: 1 };
  const pw: ArenaWeight = { ptr: 0, inner: 1, period: 1 };
  // One kernel call over elements [start, start + n) at the given addresses (pout 0: sum).
  const call = (px: number, py: number, pout: number, n: number, start: number, hasPw: boolean): number =>
    ex.binaryCrossEntropyWithLogits(
      px,
      py,
      pout,
      n,
      w.ptr,
      w.inner,
      w.period,
      start % w.inner,
      Math.floor(start / w.inner) % w.period,
      pw.ptr,
      pw.inner,
      pw.period,
      hasPw ? start % pw.inner : 0,
      hasPw ? Math.floor(start / pw.inner) % pw.period : 0,
      hasPw ? 1 : 0,
    );
  const run = (
    x: Float32Array,
    y: Float32Array,
    out: Float32Array | null,
    n: number,
    p: { readonly weight: BroadcastWeight; readonly posWeight: BroadcastWeight | null },
  ): number => {
    checkLength('x', x, n);
    checkLength('y', y, n);
    const xIn = arena.owns(x);
    const yIn = arena.owns(y);
    const outIn = out !== null && arena.owns(out);
    const xAt = x.byteOffset;
    const yAt = y.byteOffset;
    const outAt = out === null ? 0 : out.byteOffset;
    placeWeight(arena, Slot.weight, p.weight, w);
    const hasPw = p.posWeight !== null;
    if (p.posWeight !== null) placeWeight(arena, Slot.posWeight, p.posWeight, pw);
    const chunk = Math.min(n, CHUNK);
    const px = xIn ? 0 : arena.reserve(Slot.x, chunk * 4);
    const py = yIn ? 0 : arena.reserve(Slot.y, chunk * 4);
    const po = out === null || outIn ? 0 : arena.reserve(Slot.out, chunk * 4);
    const f32 = arena.f32;
    let s = 0;
    let c = 0;
    for (let i = 0; i < n; i += chunk) {
      const len = Math.min(chunk, n - i);
      if (!xIn) f32.set(x.subarray(i, i + len), px >> 2);
      if (!yIn) f32.set(y.subarray(i, i + len), py >> 2);
      const pout = out === null ? 0 : outIn ? outAt + 4 * i : po;
      const v = call(xIn ? xAt + 4 * i : px, yIn ? yAt + 4 * i : py, pout, len, i, hasPw);
      if (out !== null && !outIn) out.set(f32.subarray(po >> 2, (po >> 2) + len), i);
      const t = s + v;
      c += twoSumError(s, v, t);
      s = t;
    }
    return compensatedValue(s, c);
  };
  return {
    sum: (x, y, n, p) => run(x, y, null, n, p),
    none: (x, y, out, p) => {
      run(x, y, out, out.length, p);
    },
  };
}

/**
 * Cross-entropy (`logSoftmax` 1) or NLL over `rows` contiguous rows, chunking what is not resident.
 * Targets are re-checked by the kernel: one outside [0, C) that is not ignoreIndex throws. With
 * `stats` (cross-entropy only) the fused kernel also writes the metrics' per-row numbers there.
 */
function classIndexRows(
  arena: WasmArena,
  ex: KernelExports,
  logSoftmax: 0 | 1,
  x: Float32Array,
  rows: number,
  classes: number,
  idx: Int32Array,
  stride: number,
  w: FloatArray | null,
  wSum: number,
  ignoreIndex: number,
  eps: number,
  out: Float32Array | null,
  acc: Float64Array,
  stats: ClassRowStatsOut | null,
): void {
  checkLength('input', x, rows * classes);
  checkLength('target', idx, rows * stride);
  if (out !== null) checkLength('out', out, rows);
  if (stats !== null) {
    checkLength('best', stats.best, rows);
    checkLength('rank', stats.rank, rows);
    if (stats.expSum !== null) checkLength('expSum', stats.expSum, rows);
  }
  const xIn = arena.owns(x);
  const tIn = arena.owns(idx);
  const outIn = out !== null && arena.owns(out);
  const xAt = x.byteOffset;
  const tAt = idx.byteOffset;
  const outAt = out === null ? 0 : out.byteOffset;
  let pw = 0;
  if (w !== null) {
    pw = arena.reserve(Slot.weight, 8 * classes);
    arena.f64.set(w.subarray(0, classes), pw >> 3);
  }
  const chunkRows = Math.max(1, Math.floor(CHUNK / Math.max(1, classes)));
  const pres = arena.reserve(Slot.result, 32);
  const px = xIn ? 0 : arena.reserve(Slot.x, 4 * Math.min(rows, chunkRows) * classes);
  const pt = tIn ? 0 : arena.reserve(Slot.y, 4 * Math.min(rows, chunkRows) * stride);
  const po = out === null || outIn ? 0 : arena.reserve(Slot.out, 4 * Math.min(rows, chunkRows));
  // The metrics' numbers as classRowStatsRows lays them out, in a slot of their own.
  const span = statsSpan(rows, chunkRows);
  const ps = stats === null ? 0 : arena.reserve(Slot.stats, 16 * span);
  const tally = stats?.tally?.values ?? null;
  const pTally = tally === null ? 0 : arena.reserve(Slot.tally, 8 * tally.length);
  // Resident across the chunks: each call adds its rows to what the earlier ones left.
  if (tally !== null) arena.f64.set(tally, pTally >> 3);
  let spanStart = 0;
  let s = 0;
  let sc = 0;
  let d = 0;
  let dc = 0;
  for (let r = 0; r < rows; r += chunkRows) {
    const len = Math.min(chunkRows, rows - r);
    if (!xIn) arena.f32.set(x.subarray(r * classes, (r + len) * classes), px >> 2);
    if (!tIn) arena.i32.set(idx.subarray(r * stride, (r + len) * stride), pt >> 2);
    const rx = xIn ? xAt + 4 * r * classes : px;
    const rt = tIn ? tAt + 4 * r * stride : pt;
    const rOut = out === null ? 0 : outIn ? outAt + 4 * r : po;
    const o = r - spanStart;
    const bad =
      stats === null
        ? ex.classIndexLoss(rx, rt, stride, len, classes, pw, wSum, ignoreIndex, eps, logSoftmax, rOut, pres)
        : ex.crossEntropyClassStats(
            rx,
            rt,
            stride,
            len,
            classes,
            pw,
            wSum,
            ignoreIndex,
            eps,
            rOut,
            pres,
            stats.expSum === null ? 0 : 1,
            ps + 4 * o,
            ps + 4 * span + 4 * o,
            ps + 8 * span + 8 * o,
            pTally,
          );
    const f64 = arena.f64;
    if (bad >= 0) {
      throw new LossError('TARGET_OUT_OF_RANGE', `target ${f64[(pres >> 3) + 2]} is out of bounds`, {
        loss: logSoftmax === 1 ? 'crossEntropy' : 'nllLoss',
        argument: 'target',
        row: r + bad,
        hint: `Class indices must lie in [0, ${classes}) or equal ignoreIndex (${ignoreIndex}).`,
      });
    }
    if (out !== null && !outIn) out.set(arena.f32.subarray(po >> 2, (po >> 2) + len), r);
    if (stats !== null && (o + len === span || r + len === rows)) {
      copyStats(arena, ps, span, o + len, stats.best, stats.rank, stats.expSum, spanStart);
      spanStart = r + len;
    }
    let v = f64[pres >> 3]!;
    let t = s + v;
    sc += twoSumError(s, v, t);
    s = t;
    v = f64[(pres >> 3) + 1]!;
    t = d + v;
    dc += twoSumError(d, v, t);
    d = t;
  }
  if (tally !== null) tally.set(arena.f64.subarray(pTally >> 3, (pTally >> 3) + tally.length));
  acc[0] = compensatedValue(s, sc);
  acc[1] = compensatedValue(d, dc);
}

/** {@link WasmKernels.classRowStats}, chunking what is not resident in the arena. */
function classRowStatsRows(
  arena: WasmArena,
  ex: KernelExports,
  x: Float32Array,
  rows: number,
  classes: number,
  idx: Int32Array,
  stride: number,
  best: Int32Array,
  rank: Int32Array,
  expSum: Float64Array | null,
): void {
  checkLength('input', x, rows * classes);
  checkLength('target', idx, rows * stride);
  const xIn = arena.owns(x);
  const tIn = arena.owns(idx);
  // Read before reserving: a memory growth detaches resident views.
  const xAt = x.byteOffset;
  const tAt = idx.byteOffset;
  const chunkRows = Math.max(1, Math.floor(CHUNK / Math.max(1, classes)));
  const n = Math.min(rows, chunkRows);
  const px = xIn ? 0 : arena.reserve(Slot.x, 4 * n * classes);
  const pt = tIn ? 0 : arena.reserve(Slot.y, 4 * n * stride);
  // best, rank and the sums in one region: 16 bytes a row, the sums 8-byte aligned after 8·span bytes.
  const span = statsSpan(rows, chunkRows);
  const po = arena.reserve(Slot.out, 16 * span);
  let spanStart = 0;
  for (let r = 0; r < rows; r += chunkRows) {
    const len = Math.min(chunkRows, rows - r);
    const o = r - spanStart;
    if (!xIn) arena.f32.set(x.subarray(r * classes, (r + len) * classes), px >> 2);
    if (!tIn) arena.i32.set(idx.subarray(r * stride, (r + len) * stride), pt >> 2);
    ex.classRowStats(
      xIn ? xAt + 4 * r * classes : px,
      tIn ? tAt + 4 * r * stride : pt,
      stride,
      len,
      classes,
      expSum === null ? 0 : 1,
      po + 4 * o,
      po + 4 * span + 4 * o,
      po + 8 * span + 8 * o,
    );
    if (o + len === span || r + len === rows) {
      copyStats(arena, po, span, o + len, best, rank, expSum, spanStart);
      spanStart = r + len;
    }
  }
}

// Rows of per-row metric numbers a stats region holds (16 bytes each) before they are copied out:
// whole chunks, up to about 16,384 rows, so an 8,192-row batch's numbers leave WASM memory in one
// copy per array instead of one per 64 KiB chunk (the views and calls of each were most of the cost).
const STATS_ROWS = 16384;

/** Rows of the stats region: a whole number of `chunkRows`-row chunks, or all `rows`. */
function statsSpan(rows: number, chunkRows: number): number {
  return Math.min(rows, chunkRows * Math.max(1, Math.floor(STATS_ROWS / chunkRows)));
}

/**
 * Copies the first `len` rows of a stats region at byte `at` laid out for `span` rows (best, then
 * rank, then the float64 sums) into `best`, `rank` and `expSum` from row `to`.
 */
function copyStats(
  arena: WasmArena,
  at: number,
  span: number,
  len: number,
  best: Int32Array,
  rank: Int32Array,
  expSum: Float64Array | null,
  to: number,
): void {
  const i32 = arena.i32;
  best.set(i32.subarray(at >> 2, (at >> 2) + len), to);
  rank.set(i32.subarray((at >> 2) + span, (at >> 2) + span + len), to);
  if (expSum !== null) expSum.set(arena.f64.subarray((at >> 3) + span, (at >> 3) + span + len), to);
}

function contiguous(inner: number): void {
  if (inner !== 1)
    throw new RangeError(
      `the WASM class-index kernels need inner = 1 (rows of C contiguous logits), got ${inner}`,
    );
}

function create(ex: KernelExports): WasmKernels {
  const arena = new WasmArena(ex.memory, ex.heapBase());
  const none = () => 0;
  return {
    memory: ex.memory,
    elementwiseInputs(length) {
      const px = arena.reserve(Slot.x, 4 * length);
      const py = arena.reserve(Slot.y, 4 * length);
      const buffer = ex.memory.buffer;
      return { x: new Float32Array(buffer, px, length), y: new Float32Array(buffer, py, length) };
    },
    classIndexInputs(rows, classes) {
      const px = arena.reserve(Slot.x, 4 * rows * classes);
      const pt = arena.reserve(Slot.y, 4 * rows);
      const buffer = ex.memory.buffer;
      return {
        input: new Float32Array(buffer, px, rows * classes),
        target: new Int32Array(buffer, pt, rows),
      };
    },
    ioBuffer(bytes) {
      const at = arena.reserve(Slot.io, bytes);
      return new Uint8Array(ex.memory.buffer, at, bytes);
    },
    mse: elementwise<unknown>(arena, ex.mseSum, ex.mseNone, none),
    l1: elementwise<unknown>(arena, ex.l1Sum, ex.l1None, none),
    smoothL1: {
      sum: (x, y, n, p) =>
        p.beta === 0
          ? elementwiseSum(arena, ex.l1Sum, x, y, n, 0)
          : elementwiseSum(arena, ex.smoothL1Sum, x, y, n, p.beta),
      none: (x, y, out, p) =>
        p.beta === 0
          ? elementwiseNone(arena, ex.l1None, x, y, out, 0)
          : elementwiseNone(arena, ex.smoothL1None, x, y, out, p.beta),
    },
    huber: elementwise<{ readonly delta: number }>(arena, ex.huberSum, ex.huberNone, (p) => p.delta),
    klDiv: elementwise<{ readonly logTarget: boolean }>(arena, ex.klDivSum, ex.klDivNone, (p) =>
      p.logTarget ? 1 : 0,
    ),
    binaryCrossEntropyWithLogits: bceWithLogits(arena, ex),
    crossEntropyIndex: (x, outer, classes, inner, idx, stride, w, wSum, ignoreIndex, eps, out, acc) => {
      contiguous(inner);
      const e = Math.max(eps, 0);
      classIndexRows(arena, ex, 1, x, outer, classes, idx, stride, w, wSum, ignoreIndex, e, out, acc, null);
    },
    crossEntropyIndexWithStats: (
      x,
      outer,
      classes,
      idx,
      stride,
      w,
      wSum,
      ignoreIndex,
      eps,
      out,
      acc,
      stats,
    ) => {
      const e = Math.max(eps, 0);
      classIndexRows(arena, ex, 1, x, outer, classes, idx, stride, w, wSum, ignoreIndex, e, out, acc, stats);
    },
    classRowStats: (x, rows, classes, idx, stride, best, rank, expSum) =>
      classRowStatsRows(arena, ex, x, rows, classes, idx, stride, best, rank, expSum),
    nll: (x, outer, classes, inner, idx, stride, w, ignoreIndex, out, acc) => {
      contiguous(inner);
      classIndexRows(
        arena,
        ex,
        0,
        x,
        outer,
        classes,
        idx,
        stride,
        w,
        classes,
        ignoreIndex,
        0,
        out,
        acc,
        null,
      );
    },
  };
}

// One set per module, each with its own memory and arena: switching backends never mixes them.
let simdKernels: WasmKernels | undefined;
let relaxedKernels: WasmKernels | undefined;

/**
 * The WebAssembly SIMD kernels when the kernel backend allows them (`'auto'` where the engine
 * supports WebAssembly SIMD, `'wasm'`, or `'wasm-relaxed'`, whose kernels come from the
 * relaxed-SIMD module), else `null`: then use the JS kernels. The first call instantiates the
 * embedded module synchronously; the arena is shared by all kernels of one module.
 *
 * @example
 * const k = wasmKernels();
 * const sum = k ? k.mse.sum(x, y, x.length, undefined) : mseSum(x, y, x.length);
 */
export function wasmKernels(): WasmKernels | null {
  const module = kernelModule();
  if (module === null) return null;
  if (module === 'relaxed') {
    relaxedKernels ??= create(loadKernelExports(module)!);
    return relaxedKernels;
  }
  simdKernels ??= create(loadKernelExports(module)!);
  return simdKernels;
}
