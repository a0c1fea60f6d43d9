import { finalizeMetric, type MetricValue } from '@lossflow/core';
import { map, type OperatorFunction, pipe } from 'rxjs';
import type { MetricChunk } from '../chunks/MetricChunk.js';
import { reduceMetricState } from './reduceMetricState.js';

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
  return pipe(
    reduceMetricState(),
    map((total) => (total === undefined ? Number.NaN : finalizeMetric(total))),
  );
}
