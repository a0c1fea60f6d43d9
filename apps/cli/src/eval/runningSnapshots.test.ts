import { firstValueFrom, of, toArray } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { mseChunk } from '../testing/chunks.js';
import { runningSnapshots } from './runningSnapshots.js';

describe('runningSnapshots', () => {
  it('pairs each batch with the running total and the running values of the groups it touched', async () => {
    const chunks = [
      mseChunk(0, [1, 2, 3], [0, 0, 0], [0, 0, 1]), // epoch 0: 1, 4; epoch 1: 9
      mseChunk(1, [1, 1], [0, 0], [1, 2]), // epoch 1: 1; epoch 2: 1
    ];
    const snapshots = await firstValueFrom(of(...chunks).pipe(runningSnapshots('mean', true), toArray()));
    expect(snapshots).toHaveLength(2);
    expect(snapshots[0]!.chunk).toBe(chunks[0]);
    expect(snapshots[0]!.total).toBeCloseTo(14 / 3, 12);
    expect(snapshots[0]!.rows).toBe(3);
    expect(snapshots[0]!.groups).toEqual([
      { key: 0, value: 2.5, rows: 2 },
      { key: 1, value: 9, rows: 1 },
    ]);
    expect(snapshots[1]!.total).toBeCloseTo(16 / 5, 12);
    expect(snapshots[1]!.rows).toBe(5);
    expect(snapshots[1]!.groups).toEqual([
      { key: 1, value: 5, rows: 2 },
      { key: 2, value: 1, rows: 1 },
    ]);
  });

  it('has no groups without grouping, and keeps state per subscription', async () => {
    const source = of(mseChunk(0, [2], [0], undefined), mseChunk(1, [0], [0], undefined));
    const pipeline = source.pipe(runningSnapshots('sum', false), toArray());
    const first = await firstValueFrom(pipeline);
    const second = await firstValueFrom(pipeline);
    expect(first.map((s) => [s.total, s.groups.length])).toEqual([
      [4, 0],
      [4, 0],
    ]);
    expect(second.map((s) => s.total)).toEqual([4, 4]);
  });
});
