import { describe, expect, it } from 'vitest';
import {
  classRowStatsWanted,
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
});
