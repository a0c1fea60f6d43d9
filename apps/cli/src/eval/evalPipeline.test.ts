import { join } from 'node:path';
import { ArrowReadError } from '@lossflow/arrow';
import { lastValueFrom } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { parseEvalArgs } from '../args/evalArgs.js';
import { countingOpen } from '../testing/countingOpen.js';
import { FIXTURES } from '../testing/runCli.js';
import { evalColumns } from './evalColumns.js';
import { evalPipeline } from './evalPipeline.js';
import { LogFiles, type OpenBatches } from './LogFiles.js';
import type { RunningSnapshot } from './runningSnapshots.js';

const LOG = join(FIXTURES, 'epoch-log.arrows');

describe('evalPipeline', () => {
  it('reads the file once for several losses, and each loss gets every batch', async () => {
    const plan = parseEvalArgs([
      LOG,
      '--loss',
      'cross-entropy',
      '--loss',
      'nll',
      '--loss',
      'cross-entropy',
      '--label-smoothing',
      '0.1',
      '--loss',
      'mse',
      '--input',
      'pred',
      '--target',
      'y',
      '--by',
      'epoch',
    ]);
    const counting = countingOpen();
    const source = new LogFiles(
      plan.files,
      { project: (schema) => evalColumns(plan, schema) },
      counting.open,
    );
    const snapshots: [number, RunningSnapshot][] = [];
    const run = await lastValueFrom(
      evalPipeline(plan, source, { onRunning: (i, s) => snapshots.push([i, s]) }),
    );
    expect(counting.opens).toEqual([LOG]);
    expect(counting.batches()).toBe(10);
    expect(counting.columns).toEqual([['epoch', 'logits', 'target', 'pred', 'y']]);
    expect(run).toMatchObject({ rows: 148, batches: 10, bytes: source.totalBytes });
    expect(run.results.map((r) => [r.loss, r.rows, r.groups?.length])).toEqual([
      ['cross-entropy', 148, 4],
      ['nll', 148, 4],
      ['cross-entropy', 148, 4],
      ['mse', 148, 4],
    ]);
    for (let i = 0; i < 4; i++) {
      const mine = snapshots.filter(([loss]) => loss === i).map(([, s]) => s);
      expect(mine.map((s) => s.chunk.batch)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
      // The last running value is the final one: both are the merge of every batch's state.
      expect(mine.at(-1)!.total).toBe(run.results[i]!.value);
    }
  });

  it('with threads, computes the metrics in the workers beside the losses: this thread reads nothing', async () => {
    const args = [
      LOG,
      '--loss',
      'cross-entropy',
      '--metric',
      'accuracy',
      '--metric',
      'brier-score',
      '--by',
      'epoch',
    ];
    const plan = parseEvalArgs(args);
    const runWith = async (threads: number) => {
      const counting = countingOpen();
      const source = new LogFiles(
        plan.files,
        { project: (schema) => evalColumns(plan, schema), threads },
        counting.open,
      );
      return { run: await lastValueFrom(evalPipeline(plan, source)), opens: counting.opens };
    };
    const here = await runWith(0);
    const workers = await runWith(2);
    expect(here.opens).toEqual([LOG]);
    expect(workers.opens).toEqual([]);
    expect(workers.run.metrics).toEqual(here.run.metrics);
    expect(workers.run.results).toEqual(here.run.results);
    expect(workers.run.metrics!.map((m) => [m.metric, m.rows, m.groups?.length])).toEqual([
      ['accuracy', 148, 4],
      ['brier-score', 148, 4],
    ]);
  }, 120_000);

  it('emits nothing when reading fails mid-way, and closes the file', async () => {
    const plan = parseEvalArgs([LOG, '--by', 'epoch']);
    let closed = false;
    const failing: OpenBatches = (file, options) => {
      const inner = countingOpen().open(file, options);
      return {
        progress: { bytesRead: 0 },
        schema: () => inner.schema(),
        close: async () => {
          closed = true;
          await inner.close();
        },
        async *[Symbol.asyncIterator]() {
          let n = 0;
          for await (const batch of inner) {
            if (n++ === 3) throw new ArrowReadError('TRUNCATED', 'the stream ends early', { file, batch: 3 });
            yield batch;
          }
        },
      };
    };
    const emitted: unknown[] = [];
    const error = await new Promise((resolve) =>
      evalPipeline(plan, new LogFiles(plan.files, {}, failing)).subscribe({
        next: (v) => emitted.push(v),
        error: resolve,
        complete: () => resolve(undefined),
      }),
    );
    expect(error).toBeInstanceOf(ArrowReadError);
    expect(emitted).toEqual([]);
    expect(closed).toBe(true);
  });

  it('honours --limit', async () => {
    const plan = parseEvalArgs([LOG, '--limit', '40', '--by', 'epoch']);
    const run = await lastValueFrom(evalPipeline(plan, new LogFiles(plan.files, { limit: 40 })));
    expect(run.rows).toBe(40);
    expect(run.results[0]!.groups!.map((g) => [g.key, g.rows])).toEqual([
      [0, 37],
      [1, 3],
    ]);
  });
});
