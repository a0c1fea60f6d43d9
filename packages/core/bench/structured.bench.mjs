// Throughput of the structured losses, single thread, on the built package (`pnpm build` first):
// ctcLoss over N = 32 sequences of T = 500 float32 log-softmax frames × C = 30 classes with padded
// targets of S = 100 labels, and tripletMarginLoss over N = 100,000 float32 triplets of D = 128,
// both 'mean'. Each sits beside a plain loop that only sums the same values once: the read
// ceiling of JS on this machine (CTC is compute-bound — (2S + 1) log-sum-exps per frame — so its
// ratio shows the cost of the recursion, not of reading). Median of several runs; nothing is asserted.
import { median, printTable } from '../../../scripts/bench/harness.mjs';
import { ctcLoss, tripletMarginLoss } from '../dist/index.js';
import { seededRandom } from './seededRandom.mjs';
import { sumFloat32, sumInt32 } from './sumBaselines.mjs';

const RUNS = 5;

const random = seededRandom(2024);

let sink = 0; // keeps results observable so nothing is optimised away

const rows = [];
{
  const T = 500;
  const N = 32;
  const C = 30;
  const S = 100;
  const lp = new Float32Array(T * N * C);
  for (let f = 0; f < T * N; f++) {
    // log_softmax of random logits, frame by frame
    let max = Number.NEGATIVE_INFINITY;
    for (let c = 0; c < C; c++) {
      lp[f * C + c] = (random() - 0.5) * 6;
      max = Math.max(max, lp[f * C + c]);
    }
    let z = 0;
    for (let c = 0; c < C; c++) z += Math.exp(lp[f * C + c] - max);
    const lse = max + Math.log(z);
    for (let c = 0; c < C; c++) lp[f * C + c] -= lse;
  }
  const targets = new Int32Array(N * S);
  for (let i = 0; i < targets.length; i++) targets[i] = 1 + Math.floor(random() * (C - 1));
  const inputLengths = new Int32Array(N).fill(T);
  const targetLengths = new Int32Array(N).fill(S);
  const logProbs = { data: lp, shape: [T, N, C] };
  const padded = { data: targets, shape: [N, S] };
  const seconds = median(() => {
    sink += ctcLoss(logProbs, padded, inputLengths, targetLengths);
  }, RUNS);
  const baseline = median(() => {
    sink += sumFloat32(lp) + sumInt32(targets) + sumInt32(inputLengths) + sumInt32(targetLengths);
  }, RUNS);
  rows.push({
    name: `ctcLoss N=${N} T=${T} C=${C} S=${S} f32 mean`,
    rows: N,
    bytes: lp.byteLength + targets.byteLength + inputLengths.byteLength + targetLengths.byteLength,
    seconds,
    baseline: { name: 'sum loop', seconds: baseline },
  });
}
{
  const N = 100_000;
  const D = 128;
  const make = () => {
    const a = new Float32Array(N * D);
    for (let i = 0; i < a.length; i++) a[i] = random() - 0.5;
    return { data: a, shape: [N, D] };
  };
  const anchor = make();
  const positive = make();
  const negative = make();
  const seconds = median(() => {
    sink += tripletMarginLoss(anchor, positive, negative);
  }, RUNS);
  const baseline = median(() => {
    sink += sumFloat32(anchor.data) + sumFloat32(positive.data) + sumFloat32(negative.data);
  }, RUNS);
  rows.push({
    name: `tripletMarginLoss N=1e5 D=${D} f32 mean`,
    rows: N,
    bytes: anchor.data.byteLength * 3,
    seconds,
    baseline: { name: 'sum loop', seconds: baseline },
  });
}

printTable('@lossflow/core structured losses (single thread, median of 5)', rows);
if (Number.isNaN(sink)) console.log('(a result was NaN)');
