import { LossError } from '@lossflow/core';
import type { GroupKey, LossChunk } from '../chunks/LossChunk.js';
import type { MetricChunk } from '../chunks/MetricChunk.js';

/** Memory the group states of a grouped pass may take by default: 128 MiB. */
export const GROUP_MEMORY_BYTES = 128 * 1024 * 1024;

/**
 * What one group of one loss costs where its states are merged: the state object (nine fields),
 * the entries of the maps that find it by key, its batch count, its reduced value and the garbage
 * collector's slack. Measured: 262,144 groups of one loss took ~260 MB more than two groups in the
 * CLI; the default budget errs on the safe side.
 */
export const LOSS_GROUP_BYTES = 1024;

/** A metric group's cost besides its state's arrays (whose bytes are counted as they are). */
export const METRIC_GROUP_BYTES = 256;

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
   * Counts the keys of metric `index`'s chunk, at its states' size.
   *
   * @throws {LossError} `TOO_MANY_GROUPS` past the budget
   */
  addMetric(index: number, chunk: MetricChunk): void {
    const groups = chunk.groups;
    if (groups === undefined || groups.length === 0) return;
    let arrays = 0;
    for (const g of groups) {
      const s = g.state;
      arrays = Math.max(arrays, s.counts.byteLength + s.sums.byteLength + s.moments.byteLength);
    }
    this.#size(`m${index}`, METRIC_GROUP_BYTES + arrays);
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
    const budget =
      this.#maxGroups !== undefined
        ? `the limit is ${limit.toLocaleString('en-US')} groups`
        : `the budget is ${limit.toLocaleString('en-US')} groups (${mib(this.#memoryBytes)} of group states at ~${this.#bytesPerGroup.toLocaleString('en-US')} bytes per group)`;
    throw new LossError(
      'TOO_MANY_GROUPS',
      `${by} has more than ${limit.toLocaleString('en-US')} distinct values${shown === undefined ? '' : ` (group ${this.#keys.size.toLocaleString('en-US')} is ${shown})`}: ${budget}, and every group's state is kept until the end`,
      {
        ...(loss === undefined ? {} : { loss }),
        ...(batch === undefined ? {} : { batch }),
        ...(file === undefined ? {} : { file }),
        ...(o.by === undefined ? {} : { column: o.by }),
        hint:
          o.hint ??
          'Raise maxGroups (it costs memory), group by a coarser key, or compute per-row losses (perRow) and aggregate them elsewhere.',
      },
    );
  }
}

function mib(bytes: number): string {
  return `${Math.round(bytes / (1024 * 1024)).toLocaleString('en-US')} MiB`;
}
