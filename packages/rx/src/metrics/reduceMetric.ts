import {
  createMetricState,
  finalizeMetric,
  type MetricState,
  type MetricValue,
  mergeMetricInto,
} from '@lossflow/core';
import { Observable, type OperatorFunction } from 'rxjs';
import type { MetricChunk } from '../chunks/MetricChunk.js';

/**
 * Emits the metric over every row of the stream when the source completes: the exact merge of all
 * batch states, so it equals the one-shot value over the whole file. An empty stream gives NaN (no
 * state to finalize); a source that errors emits no value.
 *
 * @example
 * import { accuracy, reduceMetric } from '@lossflow/rx';
 * import { fromFile } from '@lossflow/rx/node';
 *
 * fromFile('preds.arrow').pipe(accuracy({ input: 'logits' }), reduceMetric()).subscribe(console.log);
 */
export function reduceMetric(): OperatorFunction<MetricChunk, MetricValue> {
  return (source) =>
    new Observable<MetricValue>((subscriber) => {
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
          let value: MetricValue;
          try {
            value = total === undefined ? Number.NaN : finalizeMetric(total);
          } catch (e) {
            subscriber.error(e);
            return;
          }
          subscriber.next(value);
          subscriber.complete();
        },
      });
    });
}
