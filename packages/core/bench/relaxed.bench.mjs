// The relaxed-SIMD kernel module ('wasm-relaxed') beside the default one ('wasm'), single thread,
// on the built package: cross-entropy (N = 250,000 × C = 100 float32 logits, Int32 targets), and
// BCE-with-logits, KL divergence, Huber and MSE over 2.5·10^7 float32 elements, operands in each
// module's own memory. The two run interleaved, alternating which goes first, ROUNDS times; the
// table gives each one's median and the median of the per-round ratios (relaxed ÷ default
// throughput), which is what to read on a noisy machine. MSE has nothing to fuse: its two modules
// run the same code, so its ratio shows the noise. Nothing is asserted.
import { getKernelBackend, setKernelBackend, wasmKernels } from '../dist/index.js';
import { seededRandom } from './seededRandom.mjs';

const ROUNDS = Number(process.env.RELAXED_BENCH_ROUNDS ?? 15);

function available() {
  try {
    setKernelBackend('wasm-relaxed');
    return true;
  } catch {
    return false;
  }
}

if (!available()) {
  console.log(`\nrelaxed.bench: no relaxed SIMD in this engine (Node ${process.versions.node}); skipped.`);
} else {
  const N = 250_000;
  const C = 100;
  const n = 25_000_000;
  const acc = new Float64Array(2);
  const unit = { data: new Float64Array([1]), inner: 0x7fffffff, period: 1 };
  const bce = { weight: unit, posWeight: null };
  /** Each module's operands, filled with the same values. */
  const operands = new Map();
  for (const backend of ['wasm', 'wasm-relaxed']) {
    setKernelBackend(backend);
    const k = wasmKernels();
    const random = seededRandom(12345);
    const io = k.ioBuffer(N * C * 4 + N * 4 + 2 * n * 4);
    const at = io.byteOffset;
    const view = (Type, offset, length) => new Type(k.memory.buffer, at + offset, length);
    const logits = view(Float32Array, 0, N * C);
    for (let i = 0; i < logits.length; i++) logits[i] = (random() - 0.5) * 8;
    const target = view(Int32Array, N * C * 4, N);
    for (let i = 0; i < N; i++) target[i] = Math.floor(random() * C);
    const x = view(Float32Array, N * C * 4 + N * 4, n);
    const y = view(Float32Array, N * C * 4 + N * 4 + n * 4, n);
    for (let i = 0; i < n; i++) {
      x[i] = (random() - 0.5) * 8;
      y[i] = random();
    }
    operands.set(backend, { k, logits, target, x, y });
  }
  const cases = [
    [
      'CE N=2.5e5 C=100',
      N * C * 4 + N * 4,
      (o) => {
        o.k.crossEntropyIndex(o.logits, N, C, 1, o.target, 1, null, C, -100, 0, null, acc);
        return acc[0];
      },
    ],
    ['BCE-with-logits n=2.5e7', n * 8, (o) => o.k.binaryCrossEntropyWithLogits.sum(o.x, o.y, n, bce)],
    ['KL div n=2.5e7', n * 8, (o) => o.k.klDiv.sum(o.x, o.y, n, { logTarget: false })],
    ['Huber n=2.5e7', n * 8, (o) => o.k.huber.sum(o.x, o.y, n, { delta: 1 })],
    ['MSE n=2.5e7 (same code: noise)', n * 8, (o) => o.k.mse.sum(o.x, o.y, n, undefined)],
  ];
  let sink = 0;
  const rows = [];
  for (const [name, bytes, run] of cases) {
    const seconds = { wasm: [], 'wasm-relaxed': [] };
    for (const backend of ['wasm', 'wasm-relaxed']) sink += run(operands.get(backend));
    for (let r = 0; r < ROUNDS; r++) {
      const order = r % 2 === 0 ? ['wasm', 'wasm-relaxed'] : ['wasm-relaxed', 'wasm'];
      for (const backend of order) {
        const t0 = process.hrtime.bigint();
        sink += run(operands.get(backend));
        seconds[backend].push(Number(process.hrtime.bigint() - t0) / 1e9);
      }
    }
    const med = (a) => [...a].sort((p, q) => p - q)[a.length >> 1];
    const ratio = med(seconds.wasm.map((s, i) => s / seconds['wasm-relaxed'][i]));
    rows.push(
      `| ${name} | ${(bytes / med(seconds.wasm) / 1e9).toFixed(2)} | ${(bytes / med(seconds['wasm-relaxed']) / 1e9).toFixed(2)} | ${ratio.toFixed(2)}× |`,
    );
  }
  setKernelBackend('auto');
  console.log(
    `\n@lossflow/core relaxed-SIMD vs default kernels, Node ${process.versions.node} ('auto' runs '${getKernelBackend()}'), single thread, ${ROUNDS} interleaved rounds`,
  );
  console.log('| case | default GB/s | relaxed GB/s | relaxed speed-up (median of rounds) |');
  console.log('| --- | --- | --- | --- |');
  for (const row of rows) console.log(row);
  if (Number.isNaN(sink)) console.log('(a result was NaN)');
}
