import { finalizeMetric, type MetricValue, metricErrorBound } from '@lossflow/core';
import { type MetricChunk, reduceMetricState } from '@lossflow/rx';
import { map, type OperatorFunction, pipe } from 'rxjs';

/** A metric's value over every row, and for a metric on a grid (`auroc`) its error bound. */
export interface MetricTotal {
  readonly value: MetricValue;
  readonly errorBound?: number | number[];
}

/**
 * `@lossflow/rx`'s `reduceMetric` that also keeps what only the merged state knows: the error
 * bound of a binned metric. An empty stream gives NaN and no bound.
 */
export function reduceMetricTotal(): OperatorFunction<MetricChunk, MetricTotal> {
  return pipe(
    reduceMetricState(),
    map((total): MetricTotal => {
      if (total === undefined) return { value: Number.NaN };
      const bound = metricErrorBound(total);
      return {
        value: finalizeMetric(total),
        ...(bound === undefined ? {} : { errorBound: bound as number | number[] }),
      };
    }),
  );
}
