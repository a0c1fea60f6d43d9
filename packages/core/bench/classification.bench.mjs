// Throughput of the two hottest core paths, single thread, on the built package (`pnpm build` first):
// crossEntropy over N = 1e6 rows × C = 100 float32 logits with Int32 targets, and mseLoss over 1e8
// float32 elements, both 'mean'. Each sits beside a plain loop that only sums the same values:
// the read ceiling of JS on this machine. Median of several runs; nothing is asserted.
import { median, printTable } from '../../../scripts/bench/harness.mjs';
import { crossEntropy, mseLoss } from '../dist/index.js';
import { seededRandom } from './seededRandom.mjs';
import { sumFloat32, sumInt32 } from './sumBaselines.mjs';

const RUNS = 5;

const random = seededRandom(12345);

// The MSE baseline: both Float32Arrays in one loop.
function sumFloat32Pair(a, b) {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] + b[i];
  return s;
}

let sink = 0; // keeps results observable so nothing is optimised away

const rows = [];
{
  const N = 1_000_000;
  const C = 100;
  const logits = new Float32Array(N * C);
  for (let i = 0; i < logits.length; i++) logits[i] = (random() - 0.5) * 8;
  const target = new Int32Array(N);
  for (let i = 0; i < N; i++) target[i] = Math.floor(random() * C);
  const input = { data: logits, shape: [N, C] };
  const seconds = median(() => {
    sink += crossEntropy(input, target);
  }, RUNS);
  const baseline = median(() => {
    sink += sumFloat32(logits) + sumInt32(target);
  }, RUNS);
  rows.push({
    name: `crossEntropy N=1e6 C=${C} f32 mean`,
    rows: N,
    bytes: logits.byteLength + target.byteLength,
    seconds,
    baseline: { name: 'sum loop', seconds: baseline },
  });
}
{
  const n = 100_000_000;
  const x = new Float32Array(n);
  const y = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    x[i] = random();
    y[i] = random();
  }
  const seconds = median(() => {
    sink += mseLoss(x, y);
  }, RUNS);
  const baseline = median(() => {
    sink += sumFloat32Pair(x, y);
  }, RUNS);
  rows.push({
    name: 'mseLoss n=1e8 f32 mean',
    rows: n,
    bytes: x.byteLength + y.byteLength,
    seconds,
    baseline: { name: 'sum loop', seconds: baseline },
  });
}

printTable('@lossflow/core classification & regression (single thread, median of 5)', rows);
if (Number.isNaN(sink)) console.log('(a result was NaN)');
