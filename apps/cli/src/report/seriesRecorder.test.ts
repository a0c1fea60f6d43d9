import { describe, expect, it } from 'vitest';
import type { RunningSnapshot } from '../eval/runningSnapshots.js';
import { mseChunk } from '../testing/chunks.js';
import { REPORT_MAX_SERIES, SeriesRecorder } from './seriesRecorder.js';

function snapshot(
  chunk: ReturnType<typeof mseChunk>,
  groups: RunningSnapshot['groups'],
  total = 0,
): RunningSnapshot {
  return { chunk, total, rows: chunk.rows, groups };
}

describe('SeriesRecorder', () => {
  it("plots each group's running value at the step of its last row in the batch", () => {
    const r = new SeriesRecorder('step');
    const chunk = mseChunk(0, [1, 2, 3, 4], [0, 0, 0, 0], [0, 0, 1, 1], [10, 11, 12, 13]);
    r.add(
      snapshot(chunk, [
        { key: 0, value: 2.5, rows: 2 },
        { key: 1, value: 12.5, rows: 2 },
      ]),
    );
    r.add(snapshot(mseChunk(1, [5], [0], [1], [14]), [{ key: 1, value: 50 / 3, rows: 3 }]));
    expect(r.xLabel()).toBe('step');
    expect(r.series()).toEqual([
      { key: 0, points: [[11, 2.5]] },
      {
        key: 1,
        points: [
          [13, 12.5],
          [14, 50 / 3],
        ],
      },
    ]);
  });

  it('plots against the rows counted into the group without a step column', () => {
    const r = new SeriesRecorder(undefined);
    r.add(snapshot(mseChunk(0, [1, 2], [0, 0], [0, 0]), [{ key: 0, value: 2.5, rows: 2 }]));
    expect(r.xLabel()).toBe('rows');
    expect(r.series()).toEqual([{ key: 0, points: [[2, 2.5]] }]);
  });

  it('records the running total against the last step of each batch without grouping', () => {
    const r = new SeriesRecorder('step');
    r.add(snapshot(mseChunk(0, [1, 2], [0, 0], undefined, [5, 6]), [], 2.5));
    expect(r.series()).toEqual([{ key: null, points: [[6, 2.5]] }]);
  });

  it('keeps a bounded number of points, always including the latest', () => {
    const r = new SeriesRecorder(undefined, 10);
    for (let i = 0; i < 1000; i++) {
      r.add(snapshot(mseChunk(i, [1], [0], [0]), [{ key: 0, value: i, rows: i + 1 }]));
    }
    const [s] = r.series();
    expect(s!.points.length).toBeLessThanOrEqual(11);
    expect(s!.points[0]).toEqual([1, 0]);
    expect(s!.points.at(-1)).toEqual([1000, 999]);
    for (let i = 1; i < s!.points.length; i++) expect(s!.points[i]![0]).toBeGreaterThan(s!.points[i - 1]![0]);
  });

  it('records only the first groups to appear, so memory does not grow with the number of groups', () => {
    expect(REPORT_MAX_SERIES).toBe(50);
    const r = new SeriesRecorder(undefined);
    for (let key = 0; key < 80; key++) {
      r.add(snapshot(mseChunk(key, [1], [0], [key]), [{ key, value: 1, rows: 1 }]));
    }
    const keys = r.series().map((s) => s.key);
    expect(keys).toEqual(Array.from({ length: 50 }, (_, i) => i));
  });
});
