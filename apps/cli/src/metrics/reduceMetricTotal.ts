import {
  createMetricState,
  finalizeMetric,
  type MetricState,
  type MetricValue,
  mergeMetricInto,
  metricErrorBound,
} from '@lossflow/core';
import type { MetricChunk } from '@lossflow/rx';
import { Observable, type OperatorFunction } from 'rxjs';

/** A metric's value over every row, and for a metric on a grid (`auroc`) its error bound. */
export interface MetricTotal {
  readonly value: MetricValue;
  readonly errorBound?: number | number[];
}

/**
 * `@lossflow/rx`'s `reduceMetric` that also keeps what only the merged state knows: the error
 * bound of a binned metric (one merge per chunk, as `reduceMetric`'s). An empty stream gives NaN
 * and no bound.
 */
export function reduceMetricTotal(): OperatorFunction<MetricChunk, MetricTotal> {
  return (source) =>
    new Observable<MetricTotal>((subscriber) => {
      let total: MetricState | undefined;
      return source.subscribe({
        next: (chunk) => {
          try {
            total ??= createMetricState(chunk.metric, chunk.state.params);
            mergeMetricInto(total, chunk.state);
          } catch (e) {
            subscriber.error(e);
          }
        },
        error: (e: unknown) => subscriber.error(e),
        complete: () => {
          let result: MetricTotal;
          try {
            const bound = total === undefined ? undefined : metricErrorBound(total);
            result = {
              value: total === undefined ? Number.NaN : finalizeMetric(total),
              ...(bound === undefined ? {} : { errorBound: bound as number | number[] }),
            };
          } catch (e) {
            subscriber.error(e);
            return;
          }
          subscriber.next(result);
          subscriber.complete();
        },
      });
    });
}
