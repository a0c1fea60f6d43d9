import { createMetricState, type MetricState, mergeMetricInto } from '@lossflow/core';
import type { GroupKey } from '../chunks/LossChunk.js';
import type { MetricGroupState } from '../chunks/MetricChunk.js';
import type { BatchMetric } from '../compute/batchMetric.js';

/**
 * The metrics of one batch from the metrics of its row ranges, in row order (a big batch is
 * computed by every worker thread, a range each), as `mergeWorkerLosses` does for losses: rows and
 * skipped rows add up, states (the batch's and each key's) merge in row order, and keys keep the
 * order they first appear in. The ranges are fixed by the batch and columns alone, so the merge is
 * the same for any thread count.
 *
 * @example
 * const metrics = mergeWorkerMetrics(rangeResults); // rangeResults: BatchMetric[][], one per range
 */
export function mergeWorkerMetrics(parts: readonly (readonly BatchMetric[])[]): BatchMetric[] {
  const first = parts[0] ?? [];
  return first.map((_, i) => mergeMetric(parts.map((p) => p[i]!)));
}

function mergeMetric(parts: readonly BatchMetric[]): BatchMetric {
  const first = parts[0]!;
  const state = createMetricState(first.state.metric, first.state.params);
  let rows = 0;
  let skipped = 0;
  let groups: Map<GroupKey, MetricState> | undefined;
  for (const part of parts) {
    mergeMetricInto(state, part.state);
    rows += part.rows;
    skipped += part.skipped;
    if (part.groups === undefined) continue;
    groups ??= new Map();
    for (const g of part.groups) {
      const seen = groups.get(g.key);
      if (seen === undefined) {
        groups.set(g.key, mergeMetricInto(createMetricState(g.state.metric, g.state.params), g.state));
      } else mergeMetricInto(seen, g.state);
    }
  }
  const merged: MetricGroupState[] | undefined =
    groups === undefined ? undefined : [...groups].map(([key, s]) => ({ key, state: s }));
  return { rows, skipped, state, groups: merged };
}
