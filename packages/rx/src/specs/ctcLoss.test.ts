import { ctcLoss as coreCtcLoss } from '@lossflow/core';
import { Field, FixedSizeList, Float32, Int64, makeData, RecordBatch, Schema, Struct } from 'apache-arrow';
import { from, lastValueFrom } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { ctcLoss } from '../operators/lossOperators.js';
import { reduce } from '../reduce/reduce.js';

const N = 3;
const T = 5;
const C = 4;
const S = 2;
// Per-row (T, C) log-probabilities: log-softmax of a deterministic pattern.
const rowMajor = new Float32Array(N * T * C);
for (let n = 0; n < N; n++) {
  for (let t = 0; t < T; t++) {
    let z = 0;
    for (let c = 0; c < C; c++) z += Math.exp(Math.sin(1 + n * 7 + t * 3 + c));
    for (let c = 0; c < C; c++) rowMajor[(n * T + t) * C + c] = Math.sin(1 + n * 7 + t * 3 + c) - Math.log(z);
  }
}
const targets = BigInt64Array.from([1n, 2n, 3n, 3n, 2n, 0n]);
const inputLengths = BigInt64Array.from([5n, 4n, 5n]);
const targetLengths = BigInt64Array.from([2n, 2n, 1n]);

function batch(): RecordBatch {
  const step = new FixedSizeList(C, new Field('item', new Float32(), false));
  const sequence = new FixedSizeList(T, new Field('item', step, false));
  const padded = new FixedSizeList(S, new Field('item', new Int64(), false));
  const fields = [
    new Field('log_probs', sequence, false),
    new Field('target', padded, false),
    new Field('input_lengths', new Int64(), false),
    new Field('target_lengths', new Int64(), false),
  ];
  const children = [
    makeData({
      type: sequence,
      length: N,
      child: makeData({
        type: step,
        length: N * T,
        child: makeData({ type: new Float32(), length: N * T * C, data: rowMajor }),
      }),
    }),
    makeData({
      type: padded,
      length: N,
      child: makeData({ type: new Int64(), length: N * S, data: targets }),
    }),
    makeData({ type: new Int64(), length: N, data: inputLengths }),
    makeData({ type: new Int64(), length: N, data: targetLengths }),
  ];
  return new RecordBatch(new Schema(fields), makeData({ type: new Struct(fields), length: N, children }));
}

describe('ctcLoss operator', () => {
  it('reads one sequence per row and transposes to torch’s time-first layout', async () => {
    const timeFirst = new Float32Array(N * T * C);
    for (let n = 0; n < N; n++) {
      for (let t = 0; t < T; t++)
        timeFirst.set(rowMajor.subarray((n * T + t) * C, (n * T + t + 1) * C), (t * N + n) * C);
    }
    const expected = coreCtcLoss(
      { data: timeFirst, shape: [T, N, C] },
      { data: targets, shape: [N, S] },
      inputLengths,
      targetLengths,
    );
    const got = await lastValueFrom(from([batch()]).pipe(ctcLoss({ input: 'log_probs' }), reduce('mean')));
    expect(got).toBe(expected);
    expect(Number.isFinite(got)).toBe(true);
  });
});
