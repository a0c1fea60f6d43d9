import {
  LossError,
  METRICS,
  type MetricDescriptor,
  type MetricName,
  optionsOwnKeys,
  type Tensor,
  unknownOptionError,
} from '@lossflow/core';
import type { GroupBudget } from '../reduce/GroupBudget.js';

/** Options every metric operator takes besides the metric's own. */
export interface MetricStreamOptions {
  /** The scores column (default: auto-detected as for the losses: `logits`, `input`, `pred`, …). */
  input?: string;
  /** The target column (default: auto-detected: `target`, `label`, `y`, …). */
  target?: string;
  /** Group states by this column's values (e.g. `'epoch'`), for `reduceMetricGroups`. */
  by?: string;
  /** A null in a selected column is an error (default) or drops the row (`'skip'`). */
  nulls?: 'error' | 'skip';
  /**
   * With `by`: the budget whose bounds each batch's group states are charged to as they are built
   * (see `GroupBudget.batchLimits`), in worker threads too: a batch alone with more keys than the
   * budget fails with `TOO_MANY_GROUPS` before building the state past it.
   */
  groupBudget?: GroupBudget;
}

/** A metric operator's options, split into the metric's own and the stream's. */
export interface CheckedMetricOptions {
  /** The options of the `@lossflow/core` metric. */
  readonly core: Record<string, unknown>;
  /** The columns, grouping and null handling. */
  readonly stream: MetricStreamOptions;
}

const STREAM_KEYS = ['input', 'target', 'by', 'nulls', 'groupBudget'] as const;
const REGRESSION: ReadonlySet<string> = new Set(['mae', 'rmse', 'r2', 'pearson']);

/**
 * The checks `metricOperator` makes when it is created, without creating it: unknown option keys
 * and invalid option values are `LossError`s (`INVALID_OPTION` for a value), thrown before any batch.
 * It imports only `@lossflow/core`, so a command line can validate `--metric` options without
 * loading RxJS, apache-arrow or the readers (a bundler keeps just this module of the package).
 *
 * @example
 * import { checkMetricOptions } from '@lossflow/rx';
 *
 * checkMetricOptions('topKAccuracy', { k: 0 }); // throws LossError INVALID_OPTION
 */
export function checkMetricOptions(
  name: MetricName,
  options: Readonly<Record<string, unknown>> & MetricStreamOptions = {},
): CheckedMetricOptions {
  const metric: MetricDescriptor = METRICS[name];
  const core: Record<string, unknown> = {};
  const stream: MetricStreamOptions = {};
  for (const key of optionsOwnKeys(name, options)) {
    if (typeof key !== 'string')
      throw unknownOptionError(name, String(key), [...metric.optionKeys, ...STREAM_KEYS]);
    if ((STREAM_KEYS as readonly string[]).includes(key))
      (stream as Record<string, unknown>)[key] = options[key];
    else if (metric.optionKeys.includes(key)) core[key] = options[key];
    else throw unknownOptionError(name, key, [...metric.optionKeys, ...STREAM_KEYS]);
  }
  // Invalid option values fail here, before any batch: an empty batch runs every option check.
  const probe: [Tensor, Tensor] = REGRESSION.has(name)
    ? [
        { data: new Float64Array(0), shape: [0] },
        { data: new Float64Array(0), shape: [0] },
      ]
    : [
        { data: new Float64Array(0), shape: [0, 1] },
        { data: new Int32Array(0), shape: [0] },
      ];
  // Checks that need the real class count (a weight per class) wait for the first batch.
  try {
    metric.partial(probe[0], probe[1], core);
  } catch (e) {
    if (!(e instanceof LossError) || e.code === 'INVALID_OPTION') throw e;
  }
  return { core, stream };
}
