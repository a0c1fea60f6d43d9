import { createMetricState, finalizeMetric, type MetricState, metricErrorBound } from '@lossflow/core';
import type { GroupKey, MetricChunk } from '@lossflow/rx';
import { MetricMergeCheck, outputKey } from '@lossflow/rx';
import type { DisplayKey } from '../eval/displayKey.js';
import type { MetricSelection } from '../metrics/MetricSelection.js';
import { boundField, type MetricRecord, metricRecordValue } from './metricOutput.js';
import { optionsField } from './recordLabels.js';

/** One metric's states so far: the total and each group's, and the groups touched since the last records. */
interface RunningMetric {
  total: MetricState | undefined;
  /** Rows read so far, as the final result counts them (the batches' rows). */
  rows: number;
  readonly groups: Map<GroupKey, MetricState>;
  readonly touched: Set<GroupKey>;
  readonly check: MetricMergeCheck;
}

/** A `--every` record of a metric: a `running` line in the losses' fields (`reduction` `metric`). */
export type RunningMetricRecord = Omit<MetricRecord, 'kind'> & { readonly kind: 'running' };

/**
 * `--every N` for the metrics: after every N batches, the running value of each `--metric` (of the
 * groups its last N batches touched, then over all rows so far), named as in the final output
 * (the metric's name in `loss`, `reduction` `metric`, a value that is not one number as JSON text).
 * The states are merged as the final reduction merges them, so the last records equal the final values.
 */
export class RunningMetricRecords {
  readonly #n: number;
  readonly #keyOf: (key: GroupKey) => DisplayKey;
  readonly #metrics = new Map<number, RunningMetric>();
  readonly #labels: readonly string[] | undefined;

  /**
   * @param keyOf the key the outputs show for a group's key (see `GroupKeys.keyOf`)
   * @param labels each metric's `options` field (see `recordLabels`; none in most runs)
   */
  constructor(n: number, keyOf: (key: GroupKey) => DisplayKey = (k) => k, labels?: readonly string[]) {
    this.#n = n;
    this.#keyOf = keyOf;
    this.#labels = labels;
  }

  /** Merges one chunk of metric `index`; every N batches returns its running records. */
  add(selection: MetricSelection, index: number, chunk: MetricChunk): RunningMetricRecord[] {
    let m = this.#metrics.get(index);
    if (m === undefined) {
      m = { total: undefined, rows: 0, groups: new Map(), touched: new Set(), check: new MetricMergeCheck() };
      this.#metrics.set(index, m);
    }
    m.total ??= createMetricState(chunk.metric, chunk.state.params);
    m.check.merge(m.total, chunk.state, chunk);
    m.rows += chunk.rows;
    for (const g of chunk.groups ?? []) {
      let state = m.groups.get(g.key);
      if (state === undefined) {
        state = createMetricState(chunk.metric, g.state.params);
        m.groups.set(g.key, state);
      }
      m.check.merge(state, g.state, chunk);
      m.touched.add(g.key);
    }
    const batches = chunk.batch + 1;
    if (batches % this.#n !== 0) return [];
    const base = {
      kind: 'running' as const,
      loss: selection.entry.cliName,
      reduction: 'metric' as const,
      ...optionsField(this.#labels?.[index]),
      batches,
    };
    const out: RunningMetricRecord[] = [...m.touched].map((key) => {
      const state = m.groups.get(key)!;
      return {
        ...base,
        key: outputKey(this.#keyOf(key)),
        value: metricRecordValue(finalizeMetric(state)),
        ...boundField(metricErrorBound(state)),
        rows: state.rows,
      };
    });
    out.push({
      ...base,
      key: null,
      value: metricRecordValue(finalizeMetric(m.total)),
      ...boundField(metricErrorBound(m.total)),
      rows: m.rows,
    });
    m.touched.clear();
    return out;
  }
}
