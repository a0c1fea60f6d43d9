import { LossError, type Tensor } from '@lossflow/core';
import type { GroupKey } from '../chunks/LossChunk.js';

/**
 * Calls `visit(start, end, key)` for each maximal run of equal keys in a 1-D key column, reading the
 * typed array directly (int64 through its 32-bit words) so no per-row value is created.
 */
export function keyRuns(
  keys: Tensor,
  column: string,
  visit: (start: number, end: number, key: GroupKey) => void,
): void {
  const data = keys.data;
  if (keys.shape.length !== 1) {
    throw new LossError(
      'INVALID_SHAPE',
      `the grouping column must hold one scalar per row, got rows of shape [${keys.shape.slice(1).join(', ')}]`,
      {
        column,
        hint: 'Group by a scalar column such as epoch.',
      },
    );
  }
  const n = data.length;
  if (data instanceof BigInt64Array) {
    const w = new Int32Array(data.buffer, data.byteOffset, n * 2);
    let start = 0;
    for (let i = 1; i <= n; i++) {
      if (i === n || w[2 * i] !== w[2 * start] || w[2 * i + 1] !== w[2 * start + 1]) {
        const k = data[start]!;
        visit(start, i, k >= -(2n ** 53n) && k <= 2n ** 53n ? Number(k) : k.toString());
        start = i;
      }
    }
    return;
  }
  let start = 0;
  for (let i = 1; i <= n; i++) {
    // Object.is groups NaN keys together and keeps -0 apart, as a set of keys should.
    if (i === n || !Object.is(data[i], data[start])) {
      visit(start, i, data[start] as number);
      start = i;
    }
  }
}
