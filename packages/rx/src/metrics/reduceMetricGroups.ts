import {
  createMetricState,
  finalizeMetric,
  LossError,
  type MetricState,
  metricErrorBound,
} from '@lossflow/core';
import { Observable, type OperatorFunction } from 'rxjs';
import type { GroupKey } from '../chunks/LossChunk.js';
import type { MetricChunk, MetricGroupValue } from '../chunks/MetricChunk.js';
import { MetricMergeCheck } from './MetricMergeCheck.js';

/**
 * Emits one `{ key, value, rows, errorBound? }` per group (`errorBound` for `auroc`) when the source completes, in the order keys first
 * appeared; groups come from the metric operator's `by` column and stay exact when a batch spans
 * keys or a key spans batches.
 *
 * @example
 * import { accuracy, reduceMetricGroups } from '@lossflow/rx';
 * import { fromFile } from '@lossflow/rx/node';
 *
 * fromFile('train-log.arrow')
 *   .pipe(accuracy({ by: 'epoch' }), reduceMetricGroups())
 *   .subscribe(({ key, value }) => console.log(`epoch ${key}: ${value}`));
 */
export function reduceMetricGroups(): OperatorFunction<MetricChunk, MetricGroupValue> {
  return (source) =>
    new Observable<MetricGroupValue>((subscriber) => {
      const groups = new Map<GroupKey, MetricState>();
      const check = new MetricMergeCheck();
      return source.subscribe({
        next: (chunk) => {
          try {
            if (chunk.groups === undefined) {
              throw new LossError('INVALID_OPTION', 'grouped reductions need chunks with groups', {
                loss: chunk.metric,
                batch: chunk.batch,
                hint: "Pass `by: 'column'` to the metric operator, e.g. accuracy({ by: 'epoch' }).",
              });
            }
            for (const g of chunk.groups) {
              let total = groups.get(g.key);
              if (total === undefined) {
                total = createMetricState(chunk.metric, g.state.params);
                groups.set(g.key, total);
              }
              check.merge(total, g.state, chunk);
            }
          } catch (e) {
            subscriber.error(e);
          }
        },
        error: (e: unknown) => subscriber.error(e),
        complete: () => {
          try {
            const values = [...groups].map(([key, state]): MetricGroupValue => {
              const errorBound = metricErrorBound(state) as number | number[] | undefined;
              return {
                key,
                value: finalizeMetric(state),
                rows: state.rows,
                ...(errorBound === undefined ? {} : { errorBound }),
              };
            });
            for (const v of values) subscriber.next(v);
            subscriber.complete();
          } catch (e) {
            subscriber.error(e);
          }
        },
      });
    });
}
