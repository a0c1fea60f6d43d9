import { describe, expect, it } from 'vitest';
import { classLayout, classTargets } from '../tensor/classOperands.js';
import { tensor } from '../tensor/tensor.js';
import {
  classRowStatsWanted,
  forgetSharedOperands,
  offerClassRowStats,
  recordClassRowStats,
  shareClassRowStats,
  sharedClassRowStats,
} from './classRowStatsScope.js';

describe('shareClassRowStats', () => {
  it('bounds what one scope keeps when a by key asks once per group: memory by the batch, lookups O(1)', () => {
    const classes = 3;
    const groups = 1_000;
    const x = new Float32Array(groups * classes);
    const idx = new Int32Array(groups);
    shareClassRowStats(
      true,
      () => {
        let lent = 0;
        for (let g = 0; g < groups; g++) {
          const gx = x.subarray(g * classes, (g + 1) * classes);
          const gi = idx.subarray(g, g + 1);
          const stats = classRowStatsWanted(gx, gi, classes, classes, 1, -100);
          if (stats === null) continue;
          lent++;
          offerClassRowStats(gx, gi, classes, classes, stats);
          // The metrics of the same group find what the loss computed.
          expect(sharedClassRowStats(gx, gi, classes, classes, true)).toBe(stats);
        }
        // Only the first few groups get lent arrays; the others' metrics compute their own.
        expect(lent).toBeGreaterThan(0);
        expect(lent).toBeLessThanOrEqual(8);
        // Stats the metrics compute for the other groups are recorded too, but only the latest few
        // are remembered: the first group's were let go.
        for (let g = 8; g < groups; g++) {
          const stats = { best: new Int32Array(1), rank: new Int32Array(1), expSum: new Float64Array(1) };
          recordClassRowStats(
            x.subarray(g * classes, (g + 1) * classes),
            idx.subarray(g, g + 1),
            classes,
            classes,
            stats,
          );
        }
        expect(
          sharedClassRowStats(x.subarray(0, classes), idx.subarray(0, 1), classes, classes, true),
        ).toBeUndefined();
      },
      { fromLosses: true },
    );
  });

  it('forgets what it remembers of a buffer whose memory is reused for other operands', () => {
    const x = new Float32Array(6);
    const idx = new Int32Array(2);
    const stats = { best: new Int32Array(2), rank: new Int32Array(2), expSum: null };
    shareClassRowStats(false, () => {
      recordClassRowStats(x, idx, 3, 3, stats);
      expect(sharedClassRowStats(x, idx, 3, 3, false)).toBe(stats);
      // Another buffer: kept.
      forgetSharedOperands(new ArrayBuffer(8));
      expect(sharedClassRowStats(x, idx, 3, 3, false)).toBe(stats);
      // The targets' buffer now holds the next group's targets: the stats no longer hold.
      forgetSharedOperands(idx.buffer);
      expect(sharedClassRowStats(x, idx, 3, 3, false)).toBeUndefined();
      recordClassRowStats(x, idx, 3, 3, stats);
      forgetSharedOperands(x.buffer);
      expect(sharedClassRowStats(x, idx, 3, 3, false)).toBeUndefined();
    });
  });

  it('checks again targets whose memory was reused: a bad index in the next group is found', () => {
    const input = tensor(new Float32Array(6), [2, 3]);
    const layout = classLayout('accuracy', input);
    const target = new Int32Array([0, 1]);
    shareClassRowStats(false, () => {
      classTargets('accuracy', target, layout, input.shape, -100);
      target[1] = 7;
      forgetSharedOperands(target.buffer);
      expect(() => classTargets('accuracy', target, layout, input.shape, -100)).toThrow(/out of bounds/);
    });
  });
});
