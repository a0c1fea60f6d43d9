/**
 * The relaxed-SIMD kernels ('wasm-relaxed'; switched on by flag on Node 20) on large random
 * float32 inputs: every per-element value within the project's float32 tolerance of the float64
 * reference (rel 2e-6 + abs 1e-6) and within 1 float32 ulp of the default module's, every float64
 * sum within 1e-9·Σ|l| of the reference; and the environment variable that selects them.
 */
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { binaryCrossEntropyWithLogits } from '../losses/binaryCrossEntropyWithLogits.js';
import { crossEntropy } from '../losses/crossEntropy.js';
import { huberLoss } from '../losses/huberLoss.js';
import { klDiv } from '../losses/klDiv.js';
import { mseLoss } from '../losses/mseLoss.js';
import { nllLoss } from '../losses/nllLoss.js';
import { smoothL1Loss } from '../losses/smoothL1Loss.js';
import { type FloatArray, type Tensor, tensor } from '../tensor/tensor.js';
import { kernelFingerprint } from '../testing/kernelFingerprint.js';
import { allowRelaxedSimd } from '../testing/relaxedSimd.js';
import { setKernelBackend } from './kernelBackend.js';
import { wasmKernels } from './wasmKernels.js';

allowRelaxedSimd();
afterAll(() => setKernelBackend('auto'));

let seed = 99;
function random(): number {
  seed = (seed + 0x6d2b79f5) >>> 0;
  let t = Math.imul(seed ^ (seed >>> 15), seed | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}

const n = 300_000;
const x = tensor(
  Float32Array.from({ length: n }, () => (random() - 0.5) * 40),
  [n],
);
const y = tensor(
  Float32Array.from({ length: n }, () => random()),
  [n],
);
const logY = tensor(
  Float32Array.from({ length: n }, () => -6 * random()),
  [n],
);
const rows = 3_000;
const classes = 100;
const logits = tensor((x.data as Float32Array).subarray(0, rows * classes), [rows, classes]);
const labels = Int32Array.from({ length: rows }, () => Math.floor(random() * classes));
const posWeight = tensor(
  Float32Array.from({ length: classes }, (_, i) => 0.5 + 0.03 * i),
  [classes],
);
const grid = tensor(x.data, [n / classes, classes]);
const gridY = tensor(y.data, [n / classes, classes]);

/** The same values as float64, for the float64 reference path. */
const wide = (t: Tensor): Tensor => tensor(Float64Array.from(t.data as FloatArray), t.shape);

type Run = (reduction: 'none', float64: boolean) => Tensor<FloatArray>;
const losses: readonly [string, Run][] = [
  ['mseLoss', (r, d) => mseLoss(d ? wide(x) : x, d ? wide(y) : y, { reduction: r })],
  ['huberLoss', (r, d) => huberLoss(d ? wide(x) : x, d ? wide(y) : y, { delta: 1.3, reduction: r })],
  ['smoothL1Loss', (r, d) => smoothL1Loss(d ? wide(x) : x, d ? wide(y) : y, { beta: 0.7, reduction: r })],
  ['klDiv', (r, d) => klDiv(d ? wide(x) : x, d ? wide(y) : y, { reduction: r })],
  [
    'klDiv logTarget',
    (r, d) => klDiv(d ? wide(x) : x, d ? wide(logY) : logY, { logTarget: true, reduction: r }),
  ],
  [
    'binaryCrossEntropyWithLogits posWeight',
    (r, d) =>
      binaryCrossEntropyWithLogits(d ? wide(grid) : grid, d ? wide(gridY) : gridY, {
        posWeight: d ? wide(posWeight) : posWeight,
        reduction: r,
      }),
  ],
  ['crossEntropy', (r, d) => crossEntropy(d ? wide(logits) : logits, labels, { reduction: r })],
  [
    'crossEntropy smoothed',
    (r, d) => crossEntropy(d ? wide(logits) : logits, labels, { labelSmoothing: 0.1, reduction: r }),
  ],
  ['nllLoss', (r, d) => nllLoss(d ? wide(logits) : logits, labels, { reduction: r })],
];

function total(a: FloatArray): number {
  let s = 0;
  for (const v of a) s += v;
  return s;
}

function magnitude(a: FloatArray): number {
  let s = 0;
  for (const v of a) s += Math.abs(v);
  return s;
}

/** How many float32 steps apart two float32 values are (same sign). */
function ulps(a: number, b: number): number {
  const bits = new Int32Array(new Float32Array([a, b]).buffer);
  return Math.abs(bits[0]! - bits[1]!);
}

describe("'wasm-relaxed' on large random inputs", () => {
  it.each(losses)(
    '%s: per element within float32 tolerance of float64, and ≤ 1 ulp from the default module',
    (_, run) => {
      setKernelBackend('js');
      const reference = run('none', true).data;
      setKernelBackend('wasm');
      const plain = run('none', false).data;
      setKernelBackend('wasm-relaxed');
      const relaxed = run('none', false).data;
      const bad: string[] = [];
      for (let i = 0; i < reference.length; i++) {
        const r = reference[i]!;
        const v = relaxed[i]!;
        if (!(Math.abs(v - r) <= 1e-6 + 2e-6 * Math.abs(r)) || ulps(v, plain[i]!) > 1) {
          bad.push(`[${i}] relaxed ${v}, default ${plain[i]}, float64 ${r}`);
        }
      }
      expect(bad, bad.slice(0, 3).join('; ')).toEqual([]);
    },
  );

  it('keeps the float64 sums within 1e-9·Σ|l| of the float64 reference', () => {
    const acc = new Float64Array(2);
    setKernelBackend('js');
    const ceRows = crossEntropy(wide(logits), labels, { reduction: 'none' }).data;
    const mse = mseLoss(wide(x), wide(y), { reduction: 'none' }).data;
    setKernelBackend('wasm-relaxed');
    const k = wasmKernels()!;
    k.crossEntropyIndex(
      logits.data as Float32Array,
      rows,
      classes,
      1,
      labels,
      1,
      null,
      classes,
      -100,
      0,
      null,
      acc,
    );
    expect(Math.abs(acc[0]! - total(ceRows))).toBeLessThanOrEqual(1e-9 * magnitude(ceRows));
    const mseSum = k.mse.sum(x.data as Float32Array, y.data as Float32Array, n, undefined);
    expect(Math.abs(mseSum - total(mse))).toBeLessThanOrEqual(1e-9 * magnitude(mse));
  });

  it("is a different module from 'wasm': cross-entropy's fused exp moves some values by 1 ulp", () => {
    setKernelBackend('wasm');
    const plain = kernelFingerprint();
    setKernelBackend('wasm-relaxed');
    const relaxed = kernelFingerprint();
    expect(relaxed['crossEntropy none']).not.toBe(plain['crossEntropy none']);
    // MSE has no multiply-add to fuse: the same bits.
    expect(relaxed['mse f64']).toBe(plain['mse f64']);
  });
});

describe('LOSSFLOW_KERNELS', () => {
  afterEach(() => {
    vi.unstubAllEnvs();
    vi.resetModules();
  });

  it.each(['relaxed', 'wasm-relaxed'])(
    "=%s selects 'wasm-relaxed', with kernels of its own",
    async (value) => {
      vi.stubEnv('LOSSFLOW_KERNELS', value);
      vi.resetModules();
      const backend = await import('./kernelBackend.js');
      const { wasmKernels: fresh } = await import('./wasmKernels.js');
      expect(backend.getKernelBackend()).toBe('wasm-relaxed');
      const relaxed = fresh()!;
      backend.setKernelBackend('wasm');
      expect(fresh()!.memory).not.toBe(relaxed.memory);
      backend.setKernelBackend('wasm-relaxed');
      expect(fresh()).toBe(relaxed);
    },
  );
});
