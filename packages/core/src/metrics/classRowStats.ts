import {
  type ClassRowStats,
  classRowStatsScope,
  recordClassRowStats,
  sharedClassRowStats,
} from '../pass/classRowStatsScope.js';
import { wasmKernels } from '../wasm/wasmKernels.js';
import type { MulticlassOperands } from './classificationOperands.js';
import { float32ExpSumAt } from './float32ExpSum.js';
import { argmaxAt, expSumAt } from './sampleScores.js';

export {
  type ClassRowStats,
  forgetSharedOperands,
  type ShareClassRowStatsOptions,
  shareClassRowStats,
} from '../pass/classRowStatsScope.js';

/**
 * The {@link ClassRowStats} of multiclass operands (with `expSum` when `withExpSum`): in
 * WebAssembly SIMD for float32 rows of contiguous scores where the kernels are available, else in
 * JS, the same bits either way (and with either kernel module); inside {@link shareClassRowStats}, computed once per operands.
 *
 * @example
 * const { best } = classRowStats(op, false);
 */
export function classRowStats(op: MulticlassOperands, withExpSum: boolean): ClassRowStats {
  const scope = classRowStatsScope();
  if (!scope.open) return compute(op, withExpSum);
  const { x, idx, stride, classes } = op;
  const found = sharedClassRowStats(x, idx, stride, classes, withExpSum);
  if (found !== undefined) return found;
  const stats = compute(op, withExpSum || scope.wantsExp);
  recordClassRowStats(x, idx, stride, classes, stats);
  return stats;
}

function compute(op: MulticlassOperands, withExpSum: boolean): ClassRowStats {
  const { x, outer, classes, inner, idx, stride } = op;
  const samples = outer * inner;
  const best = new Int32Array(samples);
  const rank = new Int32Array(samples);
  const expSum = withExpSum ? new Float64Array(samples) : null;
  const k = classes > 0 && inner === 1 ? wasmKernels() : null;
  if (k !== null && x instanceof Float32Array) {
    k.classRowStats(x, outer, classes, idx, stride, best, rank, expSum);
    return { best, rank, expSum };
  }
  const rowExpSum = x instanceof Float32Array ? float32ExpSumAt : expSumAt;
  for (let n = 0; n < outer; n++) {
    for (let j = 0; j < inner; j++) {
      const i = n * inner + j;
      const base = n * classes * inner + j;
      const b = argmaxAt(x, base, classes, inner);
      best[i] = b;
      if (b < 0) continue;
      // Every in-range target's rank, ignored or not (as the WebAssembly kernel): the stats are
      // shared by metrics of other ignore values in a pass, which may count this row.
      const t = idx[i * stride]!;
      if (t >= 0 && t < classes) {
        const s = x[base + t * inner]!;
        let r = 0;
        for (let c = 0; c < classes; c++) {
          const v = x[base + c * inner]!;
          if (v > s || (v === s && c < t)) r++;
        }
        rank[i] = r;
      }
      if (expSum !== null) expSum[i] = rowExpSum(x, base, classes, inner, x[base + b * inner]!);
    }
  }
  return { best, rank, expSum };
}
