// node --test scripts/bench/ (pnpm test:scripts): the benchmark's table formatting and medians,
// on made-up numbers; nothing is run or timed.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fmtCount, formatTable, gbps, mb, medianRun, ms, percent, speed } from './e2eTable.mjs';

test('formatTable aligns the first column left and the others right, under a rule', () => {
  const text = formatTable(
    ['file', 'lossflow', 'peak RSS'],
    [
      ['IPC stream, 8,192-row batches', ms(0.4412), mb(79e6)],
      ['Parquet by lossflow', ms(1.2), mb(256e6)],
    ],
  );
  assert.equal(
    text,
    [
      'file                           lossflow  peak RSS',
      '-----------------------------  --------  --------',
      'IPC stream, 8,192-row batches    441 ms     79 MB',
      'Parquet by lossflow             1200 ms    256 MB',
    ].join('\n'),
  );
});

test('formatTable refuses a line with a missing cell', () => {
  assert.throws(() => formatTable(['a', 'b'], [['only one']]), /1 cells, its header 2/);
});

test('medianRun takes the middle run by wall time and the highest peak of all runs', () => {
  const m = medianRun([
    { seconds: 3, cpu: 5, peak: 100 },
    { seconds: 1, cpu: 2, peak: 300 },
    { seconds: 2, cpu: 4, peak: 200 },
  ]);
  assert.deepEqual(m, { seconds: 2, cpu: 4, peak: 300, runs: 3 });
  assert.equal(medianRun([{ seconds: 2 }, { seconds: 1 }]).seconds, 1);
  assert.equal(medianRun([{ seconds: 1 }]).peak, undefined);
  assert.throws(() => medianRun([]), /no runs/);
});

test('the cells: counts, ratios, rates and unknowns', () => {
  assert.equal(fmtCount(2_000_000 / 0.5), '4.00 M');
  assert.equal(fmtCount(512), '512.00');
  assert.equal(speed(1.0, 0.5), '2.00x');
  assert.equal(speed(undefined, 0.5), '-');
  assert.equal(percent(0.43, 0.5), '86%');
  assert.equal(gbps(3.2e9, 0.5), '6.40');
  assert.equal(ms(undefined), '-');
  assert.equal(mb(undefined), '-');
});
