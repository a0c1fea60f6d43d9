/**
 * Test-only: the inputs of `fixtures/auroc-grid-goldens.json`, rebuilt bit for bit as
 * scripts/fixtures/gen_metrics.py builds them (the file stores only the references; inputs of
 * 4000 × 1000 scores would make it megabytes).
 */
import type { Tensor } from '../tensor/tensor.js';

/** One case of the AUROC grid goldens: how its inputs are made and scikit-learn's exact AUROC. */
export interface AurocGridCase {
  id: string;
  seed: number;
  rows: number;
  /** 1: binary 1-D scores with 0/1 targets; otherwise logits of that many classes. */
  classes: number;
  shift: number;
  scale: number;
  scores: 'logits' | 'probabilities';
  expected: number;
}

/** The generator's integer hash (lowbias32), on uint32. */
function hash32(n: number): number {
  let x = n >>> 0;
  x ^= x >>> 16;
  x = Math.imul(x, 0x7feb352d) >>> 0;
  x ^= x >>> 15;
  x = Math.imul(x, 0x846ca68b) >>> 0;
  x ^= x >>> 16;
  return x >>> 0;
}

/** A case's scores and targets, as the generator made them. */
export function aurocGridInputs(c: AurocGridCase): { input: Tensor; target: Tensor } {
  const base = Math.imul(c.seed, 0x9e3779b9) >>> 0;
  const width = c.classes;
  const y = new BigInt64Array(c.rows);
  for (let r = 0; r < c.rows; r++) y[r] = BigInt(hash32(base + 0x80000000 + r) % (width > 1 ? width : 2));
  const x = new Float32Array(c.rows * width);
  for (let e = 0; e < x.length; e++) {
    let u = 0;
    for (let j = 0; j < 4; j++) u += (hash32(base + 4 * e + j) >>> 8) / 16777216;
    const noise = (u - 2) * 1.7320508075688772;
    const r = Math.floor(e / width);
    const target = Number(y[r]);
    if (width === 1) {
      const z = Math.fround((noise + c.shift * target) * c.scale);
      x[e] = c.scores === 'probabilities' ? Math.fround(0.5 + z * 0.125) : z;
    } else {
      x[e] = Math.fround((e % width === target ? noise + c.shift : noise) * c.scale);
    }
  }
  return {
    input: { data: x, shape: width === 1 ? [c.rows] : [c.rows, width] },
    target: { data: y, shape: [c.rows] },
  };
}
