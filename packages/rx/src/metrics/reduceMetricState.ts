import { createMetricState, type MetricState } from '@lossflow/core';
import { Observable, type OperatorFunction } from 'rxjs';
import type { MetricChunk } from '../chunks/MetricChunk.js';
import { MetricMergeCheck } from './MetricMergeCheck.js';

/**
 * Emits, when the source completes, the exact merge of every chunk's metric state (`undefined` for
 * an empty stream): what {@link reduceMetric} finalizes, for a caller that wants more of the merged
 * state than its value (an AUROC's error bound, a state to store and merge with another run's).
 * A source that errors emits nothing.
 *
 * @example
 * import { finalizeMetric, metricErrorBound } from '@lossflow/core';
 * import { auroc, reduceMetricState } from '@lossflow/rx';
 * import { fromFile } from '@lossflow/rx/node';
 *
 * fromFile('preds.arrows')
 *   .pipe(auroc(), reduceMetricState())
 *   .subscribe((s) => s && console.log(finalizeMetric(s), '±', metricErrorBound(s)));
 */
export function reduceMetricState(): OperatorFunction<MetricChunk, MetricState | undefined> {
  return (source) =>
    new Observable<MetricState | undefined>((subscriber) => {
      let total: MetricState | undefined;
      const check = new MetricMergeCheck();
      return source.subscribe({
        next: (chunk) => {
          try {
            total ??= createMetricState(chunk.metric, chunk.state.params);
            check.merge(total, chunk.state, chunk);
          } catch (e) {
            subscriber.error(e);
          }
        },
        error: (e: unknown) => subscriber.error(e),
        complete: () => {
          subscriber.next(total);
          subscriber.complete();
        },
      });
    });
}
