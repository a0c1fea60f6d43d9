/**
 * Test-only: every WASM kernel run once through its loss function on fixed pseudo-random float32
 * data (reduced and per element, with the options the kernels take), under the kernel backend in
 * use, plus the kernels' own float64 sums (a loss rounds its value to float32, which could hide a
 * difference). Per-element outputs are reduced to an FNV-1a hash of their bits, so two backends or
 * two builds give equal fingerprints exactly when every value is bit-identical.
 */
import { binaryCrossEntropyWithLogits } from '../losses/binaryCrossEntropyWithLogits.js';
import { crossEntropy } from '../losses/crossEntropy.js';
import { huberLoss } from '../losses/huberLoss.js';
import { klDiv } from '../losses/klDiv.js';
import { l1Loss } from '../losses/l1Loss.js';
import { mseLoss } from '../losses/mseLoss.js';
import { nllLoss } from '../losses/nllLoss.js';
import { smoothL1Loss } from '../losses/smoothL1Loss.js';
import { type FloatArray, type Tensor, tensor } from '../tensor/tensor.js';
import { wasmKernels } from '../wasm/wasmKernels.js';

/** mulberry32: a small seeded generator, so the data is the same on every run and engine. */
function generator(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** FNV-1a over the bytes of a float32 tensor's values, as an unsigned 32-bit number. */
function hashBits(t: Tensor<FloatArray>): number {
  const bytes = new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength);
  let h = 0x811c9dc5;
  for (const b of bytes) h = Math.imul(h ^ b, 0x01000193) >>> 0;
  return h;
}

/** The fingerprint: one number per kernel and reduction (a value for sums, a hash for 'none'). */
export function kernelFingerprint(): Record<string, number> {
  const random = generator(20261205);
  const n = 50_003;
  const x = tensor(
    Float32Array.from({ length: n }, () => (random() - 0.5) * 12),
    [n],
  );
  const y = tensor(
    Float32Array.from({ length: n }, () => random()),
    [n],
  );
  const logY = tensor(
    Float32Array.from({ length: n }, () => -5 * random()),
    [n],
  );
  const rows = 2_001;
  const classes = 37;
  const logits = tensor(
    Float32Array.from({ length: rows * classes }, () => (random() - 0.5) * 16),
    [rows, classes],
  );
  const labels = Int32Array.from({ length: rows }, (_, i) =>
    i % 17 === 0 ? -1 : Math.floor(random() * classes),
  );
  const weight = Float32Array.from({ length: classes }, () => 0.25 + random() * 2);
  const cols = 61;
  const grid = tensor(x.data.subarray(0, 800 * cols), [800, cols]);
  const gridY = tensor(y.data.subarray(0, 800 * cols), [800, cols]);
  const perColumn = tensor(
    Float32Array.from({ length: cols }, (_, i) => 0.5 + 0.05 * i),
    [cols],
  );
  const out: Record<string, number> = {};
  const both = (name: string, run: (reduction: 'sum' | 'none') => number | Tensor<FloatArray>) => {
    out[`${name} sum`] = run('sum') as number;
    out[`${name} none`] = hashBits(run('none') as Tensor<FloatArray>);
  };
  both('mse', (reduction) => mseLoss(x, y, { reduction }));
  both('l1', (reduction) => l1Loss(x, y, { reduction }));
  both('smoothL1', (reduction) => smoothL1Loss(x, y, { beta: 0.7, reduction }));
  both('huber', (reduction) => huberLoss(x, y, { delta: 1.3, reduction }));
  both('klDiv', (reduction) => klDiv(x, y, { reduction }));
  both('klDiv logTarget', (reduction) => klDiv(x, logY, { logTarget: true, reduction }));
  both('bceWithLogits', (reduction) => binaryCrossEntropyWithLogits(x, y, { reduction }));
  both('bceWithLogits weighted', (reduction) =>
    binaryCrossEntropyWithLogits(grid, gridY, { weight: perColumn, posWeight: perColumn, reduction }),
  );
  both('crossEntropy', (reduction) => crossEntropy(logits, labels, { ignoreIndex: -1, reduction }));
  both('crossEntropy weighted smoothed', (reduction) =>
    crossEntropy(logits, labels, { ignoreIndex: -1, weight, labelSmoothing: 0.1, reduction }),
  );
  both('nll', (reduction) => nllLoss(logits, labels, { ignoreIndex: -1, weight, reduction }));
  const k = wasmKernels();
  if (k !== null) {
    const [xs, ys, ls] = [x.data, y.data, logY.data] as Float32Array[];
    out['mse f64'] = k.mse.sum(xs!, ys!, n, undefined);
    out['huber f64'] = k.huber.sum(xs!, ys!, n, { delta: 1.3 });
    out['klDiv f64'] = k.klDiv.sum(xs!, ys!, n, { logTarget: false });
    out['klDiv logTarget f64'] = k.klDiv.sum(xs!, ls!, n, { logTarget: true });
    const acc = new Float64Array(2);
    const input = logits.data as Float32Array;
    k.crossEntropyIndex(input, rows, classes, 1, labels, 1, weight, sum(weight), -1, 0.1, null, acc);
    out['crossEntropy f64'] = acc[0]!;
    out['crossEntropy weight f64'] = acc[1]!;
  }
  return out;
}

function sum(a: Float32Array): number {
  let s = 0;
  for (const v of a) s += v;
  return s;
}
