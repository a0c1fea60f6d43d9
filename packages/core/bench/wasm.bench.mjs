// The WebAssembly SIMD kernels beside the JS reference kernels, single thread, on the built package
// (`pnpm build` first): cross-entropy over N = 1e6 rows × C = 100 float32 logits with Int32 targets,
// and MSE over 1e8 float32 elements. Each WASM kernel runs twice: on operands already in WASM memory
// (what a zero-copy IO layer feeds it) and on ordinary Float32Arrays (including the copy-in through
// the arena). A plain JS loop that only sums the same values is the read baseline. Median of several
// runs; nothing is asserted.
import { median, printTable } from '../../../scripts/bench/harness.mjs';
import { wasmKernels } from '../dist/internalKernels.js';
import { crossEntropyIndexKernel } from '../dist/kernels/crossEntropy.js';
import { mseSum } from '../dist/kernels/mse.js';
import { seededRandom } from './seededRandom.mjs';

const RUNS = 5;

const random = seededRandom(12345);

function sumFloat32(a, b) {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i];
  for (let i = 0; i < b.length; i++) s += b[i];
  return s;
}

let sink = 0;
const k = wasmKernels();
if (k === null) {
  console.log('\nwasm.bench: WebAssembly SIMD kernels unavailable here (or LOSSFLOW_KERNELS=js); skipped.');
} else {
  const rows = [];
  const acc = new Float64Array(2);
  {
    const N = 1_000_000;
    const C = 100;
    const resident = k.classIndexInputs(N, C);
    const logits = new Float32Array(N * C);
    for (let i = 0; i < logits.length; i++) logits[i] = (random() - 0.5) * 8;
    const target = new Int32Array(N);
    for (let i = 0; i < N; i++) target[i] = Math.floor(random() * C);
    resident.input.set(logits);
    resident.target.set(target);
    const bytes = logits.byteLength + target.byteLength;
    const read = median(() => {
      sink += sumFloat32(logits, target);
    }, RUNS);
    const js = median(() => {
      crossEntropyIndexKernel(logits, N, C, 1, target, 1, null, C, -100, 0, null, acc);
      sink += acc[0];
    }, RUNS);
    const inMemory = median(() => {
      k.crossEntropyIndex(resident.input, N, C, 1, resident.target, 1, null, C, -100, 0, null, acc);
      sink += acc[0];
    }, RUNS);
    const copied = median(() => {
      k.crossEntropyIndex(logits, N, C, 1, target, 1, null, C, -100, 0, null, acc);
      sink += acc[0];
    }, RUNS);
    const base = { name: 'JS kernel', seconds: js };
    const name = `CE N=1e6 C=${C} f32`;
    rows.push({ name: `${name}: plain JS read loop`, rows: N, bytes, seconds: read, baseline: base });
    rows.push({ name: `${name}: JS kernel`, rows: N, bytes, seconds: js, baseline: base });
    rows.push({ name: `${name}: WASM, in WASM memory`, rows: N, bytes, seconds: inMemory, baseline: base });
    rows.push({ name: `${name}: WASM, with copy-in`, rows: N, bytes, seconds: copied, baseline: base });
  }
  {
    const n = 100_000_000;
    const resident = k.elementwiseInputs(n);
    const x = new Float32Array(n);
    const y = new Float32Array(n);
    for (let i = 0; i < n; i++) {
      x[i] = random();
      y[i] = random();
    }
    resident.x.set(x);
    resident.y.set(y);
    const bytes = x.byteLength + y.byteLength;
    const read = median(() => {
      sink += sumFloat32(x, y);
    }, RUNS);
    const js = median(() => {
      sink += mseSum(x, y, n);
    }, RUNS);
    const inMemory = median(() => {
      sink += k.mse.sum(resident.x, resident.y, n, undefined);
    }, RUNS);
    const copied = median(() => {
      sink += k.mse.sum(x, y, n, undefined);
    }, RUNS);
    const base = { name: 'JS kernel', seconds: js };
    rows.push({ name: 'MSE n=1e8 f32: plain JS read loop', rows: n, bytes, seconds: read, baseline: base });
    rows.push({ name: 'MSE n=1e8 f32: JS kernel', rows: n, bytes, seconds: js, baseline: base });
    rows.push({
      name: 'MSE n=1e8 f32: WASM, in WASM memory',
      rows: n,
      bytes,
      seconds: inMemory,
      baseline: base,
    });
    rows.push({ name: 'MSE n=1e8 f32: WASM, with copy-in', rows: n, bytes, seconds: copied, baseline: base });
  }
  printTable('@lossflow/core WASM SIMD kernels vs JS kernels (single thread, median of 5)', rows);
}
if (Number.isNaN(sink)) console.log('(a result was NaN)');
