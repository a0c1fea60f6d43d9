import { LossError, type MetricState } from '@lossflow/core';
import type { GroupKey, LossChunk } from '../chunks/LossChunk.js';
import type { MetricChunk } from '../chunks/MetricChunk.js';

/** Memory the group states of a grouped pass may take by default: 128 MiB. */
export const GROUP_MEMORY_BYTES = 128 * 1024 * 1024;

/**
 * What one group of one loss costs in a grouped pass, measured as the slope of the peak RSS of
 * `lossflow eval --by` over 600,000 rows between 10,000, 30,000, 60,000 and 120,000 groups, with 1
 * and 2 threads: 1.8–3.9 KB per group for `mse` and `cross-entropy` (the merged state, the entries
 * of the maps that find it by key, its batch count and reduced value, its printed result), rounded
 * up. Not counted, as it does not grow with the groups: the CLI's ~110 MB, and the per-batch states
 * of the chunks in flight (a batch makes a state per group it touches; up to ~90 MB at 2 threads for
 * 50,000-row batches that touch 10,000 groups or more).
 */
export const LOSS_GROUP_BYTES = 4096;

/**
 * A metric group's cost besides its state's arrays (see {@link METRIC_ARRAY_FACTOR}), measured as
 * {@link LOSS_GROUP_BYTES} is: up to 11 KB per group for `accuracy`, whose arrays are a few bytes (a
 * metric state holds three typed arrays, each an object and a backing store even when empty),
 * rounded up.
 */
export const METRIC_GROUP_BYTES = 12 * 1024;

/**
 * How many times its arrays' bytes a metric state costs per group (the merged state's arrays and
 * the copies made while merging), measured for `auroc`: 20 thresholds × 10 classes (3,200 bytes)
 * ~9–13 KB per group, 200 thresholds (32,000 bytes) ~87 KB; rounded up.
 */
export const METRIC_ARRAY_FACTOR = 4;

/**
 * Metrics whose value per group is as large as their state (a confusion matrix: C × C counts, as
 * nested arrays and then printed), which costs this many times the arrays' bytes again: measured,
 * `confusion-matrix` over 10 classes (800 bytes of counts) 10–22 KB per group.
 */
const ARRAY_VALUED_METRICS: ReadonlyMap<string, number> = new Map([['confusionMatrix', 8]]);

/**
 * What one metric group costs in the budget: {@link METRIC_GROUP_BYTES} + {@link METRIC_ARRAY_FACTOR}
 * × the bytes of its state's arrays, more for a confusion matrix, whose value per group is as large
 * as its state. The same cost whether a chunk's groups are counted or a batch's groups are built.
 */
export function metricGroupBytes(metric: string, state: MetricState): number {
  const arrays = state.counts.byteLength + state.sums.byteLength + state.moments.byteLength;
  return METRIC_GROUP_BYTES + (METRIC_ARRAY_FACTOR + (ARRAY_VALUED_METRICS.get(metric) ?? 0)) * arrays;
}

/**
 * A budget's bounds as plain data, which a worker thread receives (see {@link GroupBudget.batchLimits}):
 * what bounds the groups one batch builds.
 */
export interface BatchGroupLimits {
  /** Distinct keys allowed, when the budget was given as a count. */
  readonly maxGroups: number | undefined;
  /** Memory the group states may take when `maxGroups` is not given. */
  readonly memoryBytes: number;
  /** The grouping column as the user named it, for the error. */
  readonly by: string | undefined;
  /** How to fix the error. */
  readonly hint: string;
}

/** Options of {@link GroupBudget}. */
export interface GroupBudgetOptions {
  /** Distinct keys allowed (a whole number ≥ 1); default: as many as fit in `memoryBytes`. */
  readonly maxGroups?: number | undefined;
  /** Memory the group states may take when `maxGroups` is not given (default {@link GROUP_MEMORY_BYTES}). */
  readonly memoryBytes?: number | undefined;
  /** The grouping column, for the error. */
  readonly by?: string | undefined;
  /** A key as the user knows it (default: the key as text). */
  readonly describeKey?: ((key: GroupKey) => string) | undefined;
  /** How to fix the error (default: in terms of this library's options). */
  readonly hint?: string | undefined;
}

/**
 * Bounds the memory a grouped pass (`by`) keeps, whatever the number of keys: every loss and metric
 * keeps a state per distinct key until the end, so a key column with a value per row (an id, a
 * timestamp) would grow them without bound, and end in an out-of-memory crash after hours. Fed the
 * chunks of every loss and metric of the pass (in this thread, from worker threads or from a
 * distributed run's workers alike), it counts the distinct keys and fails with `TOO_MANY_GROUPS`
 * as soon as one key too many appears, naming it, the count reached and the budget: never a
 * partial result, never a crash. The default budget is what fits in {@link GROUP_MEMORY_BYTES}
 * at the per-group size of these losses and metrics (a confusion matrix or AUROC bins per group
 * weigh more than a loss's few numbers), measured from their states as they come. It holds the
 * keys it has counted, which the budget bounds too.
 *
 * @example
 * const budget = new GroupBudget({ by: 'user' });
 * chunks$.pipe(tap((chunk) => budget.addLoss(0, chunk)), reduceGroups('mean'));
 */
export class GroupBudget {
  readonly #keys = new Set<GroupKey>();
  readonly #maxGroups: number | undefined;
  readonly #memoryBytes: number;
  readonly #options: GroupBudgetOptions;
  /** Bytes per group of each loss (`l0`, …) and metric (`m0`, …) seen so far. */
  readonly #streamBytes = new Map<string, number>();
  #bytesPerGroup = 0;

  constructor(options: GroupBudgetOptions = {}) {
    const { maxGroups, memoryBytes } = options;
    if (maxGroups !== undefined && (!Number.isSafeInteger(maxGroups) || maxGroups < 1)) {
      throw new LossError(
        'INVALID_OPTION',
        `maxGroups must be a whole number ≥ 1 (got ${String(maxGroups)})`,
        {
          argument: 'maxGroups',
          hint: 'Pass the number of distinct keys to allow, or leave it out for the memory budget.',
        },
      );
    }
    if (memoryBytes !== undefined && !(memoryBytes > 0)) {
      throw new LossError(
        'INVALID_OPTION',
        `memoryBytes must be a positive number (got ${String(memoryBytes)})`,
        {
          argument: 'memoryBytes',
        },
      );
    }
    this.#maxGroups = maxGroups;
    this.#memoryBytes = memoryBytes ?? GROUP_MEMORY_BYTES;
    this.#options = options;
  }

  /** Distinct keys allowed now (without `maxGroups`, it shrinks as heavier states are seen). */
  get limit(): number {
    if (this.#maxGroups !== undefined) return this.#maxGroups;
    return Math.max(1, Math.floor(this.#memoryBytes / Math.max(this.#bytesPerGroup, LOSS_GROUP_BYTES)));
  }

  /**
   * The bounds a loss or metric operator given this budget (`groupBudget`) applies to each batch,
   * before the batch's chunk reaches {@link addLoss} / {@link addMetric}: a batch alone with more
   * keys than the budget fails as it builds the state past it, so a big batch of distinct keys
   * cannot take more memory than the budget (in worker threads too, which receive these bounds).
   */
  get batchLimits(): BatchGroupLimits {
    return {
      maxGroups: this.#maxGroups,
      memoryBytes: this.#memoryBytes,
      by: this.#options.by,
      hint: this.#options.hint ?? DEFAULT_HINT,
    };
  }

  /** Distinct keys counted so far. */
  get groups(): number {
    return this.#keys.size;
  }

  /**
   * Counts the keys of loss `index`'s chunk.
   *
   * @throws {LossError} `TOO_MANY_GROUPS` past the budget
   */
  addLoss(index: number, chunk: LossChunk): void {
    const groups = chunk.groups;
    if (groups === undefined || groups.length === 0) return;
    this.#size(`l${index}`, LOSS_GROUP_BYTES);
    for (const g of groups) this.#add(g.key, chunk.batch, chunk.file, chunk.loss);
  }

  /**
   * Counts the keys of metric `index`'s chunk, at its states' size ({@link METRIC_GROUP_BYTES} +
   * {@link METRIC_ARRAY_FACTOR} × the bytes of its arrays, more for a confusion matrix, whose
   * value per group is as large as its state).
   *
   * @throws {LossError} `TOO_MANY_GROUPS` past the budget
   */
  addMetric(index: number, chunk: MetricChunk): void {
    const groups = chunk.groups;
    if (groups === undefined || groups.length === 0) return;
    let bytes = 0;
    for (const g of groups) bytes = Math.max(bytes, metricGroupBytes(chunk.metric, g.state));
    this.#size(`m${index}`, bytes);
    for (const g of groups) this.#add(g.key, chunk.batch, chunk.file, chunk.metric);
  }

  #size(stream: string, bytes: number): void {
    const before = this.#streamBytes.get(stream) ?? 0;
    if (bytes <= before) return;
    this.#streamBytes.set(stream, bytes);
    this.#bytesPerGroup += bytes - before;
    // A heavier state lowers the limit: the keys already counted may be past it now.
    if (this.#keys.size > this.limit) this.#fail(undefined, undefined, undefined, undefined);
  }

  #add(key: GroupKey, batch: number, file: string | undefined, loss: string): void {
    const keys = this.#keys;
    if (keys.has(key)) return;
    keys.add(key);
    if (keys.size > this.limit) this.#fail(key, batch, file, loss);
  }

  #fail(
    key: GroupKey | undefined,
    batch: number | undefined,
    file: string | undefined,
    loss: string | undefined,
  ): never {
    const o = this.#options;
    const limit = this.limit;
    const by = o.by === undefined ? 'the grouping key' : `'${o.by}'`;
    const shown = key === undefined ? undefined : (o.describeKey?.(key) ?? String(key));
    const budget = budgetClause(limit, this.#maxGroups, this.#memoryBytes, this.#bytesPerGroup);
    throw new LossError(
      'TOO_MANY_GROUPS',
      `${by} has more than ${limit.toLocaleString('en-US')} distinct values${shown === undefined ? '' : ` (group ${this.#keys.size.toLocaleString('en-US')} is ${shown})`}: ${budget}, and every group's state is kept until the end`,
      {
        ...(loss === undefined ? {} : { loss }),
        ...(batch === undefined ? {} : { batch }),
        ...(file === undefined ? {} : { file }),
        ...(o.by === undefined ? {} : { column: o.by }),
        hint: o.hint ?? DEFAULT_HINT,
      },
    );
  }
}

const DEFAULT_HINT =
  'Raise maxGroups (it costs memory), group by a coarser key, or compute per-row losses (perRow) and aggregate them elsewhere.';

/**
 * What the budget is, as the `TOO_MANY_GROUPS` error says it: the count given, or the groups that
 * fit the memory at the cost per group.
 *
 * @example
 * budgetClause(32768, undefined, 128 * 1024 * 1024, 4096); // 'the budget is 32,768 groups (128 MiB …)'
 */
export function budgetClause(
  limit: number,
  maxGroups: number | undefined,
  memoryBytes: number,
  bytesPerGroup: number,
): string {
  return maxGroups !== undefined
    ? `the limit is ${limit.toLocaleString('en-US')} groups`
    : `the budget is ${limit.toLocaleString('en-US')} groups (${mib(memoryBytes)} of group states at ~${bytesPerGroup.toLocaleString('en-US')} bytes per group)`;
}

function mib(bytes: number): string {
  return `${Math.round(bytes / (1024 * 1024)).toLocaleString('en-US')} MiB`;
}
