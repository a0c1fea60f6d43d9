import { finalize, type LossState, mergeStates, type StateReduction } from '@lossflow/core';
import type { GroupKey } from '@lossflow/rx';
import type { RunningSnapshot } from '../eval/runningSnapshots.js';
import { REPORT_MAX_SERIES, type RecordedSeries } from './seriesRecorder.js';

/** A key's window being summed, and its points so far. */
interface Curve {
  state: LossState | undefined;
  batches: number;
  x: number;
  rows: number;
  points: [number, number][];
  stride: number;
  seen: number;
}

/**
 * Collects the report's training curve: the loss of each batch (or of each window of `window`
 * batches, `--every`) per group, as TensorBoard plots a logged loss against step, not the running
 * mean. Each batch's state is merged into its key's window (a group touched by a batch counts that
 * batch); a full window becomes one point at the step of its last row (or the rows counted so far
 * without a step column). Each series keeps at most about `maxPoints` points by keeping every
 * other one when full, so memory stays bounded on long runs.
 */
export class CurveRecorder {
  readonly #step: string | undefined;
  readonly #reduction: StateReduction;
  readonly #window: number;
  readonly #maxPoints: number;
  readonly #curves = new Map<GroupKey | null, Curve>();

  /**
   * @param step the column the loss operators were given as `step`; none: the x axis counts rows
   * @param window batches per point (`--every`, default 1)
   */
  constructor(step: string | undefined, reduction: StateReduction, window = 1, maxPoints = 2000) {
    this.#step = step;
    this.#reduction = reduction;
    this.#window = window;
    this.#maxPoints = maxPoints;
  }

  /** Adds one batch. */
  add(snapshot: RunningSnapshot): void {
    const { chunk } = snapshot;
    const steps = this.#step === undefined ? undefined : chunk.steps;
    if (chunk.groups === undefined) {
      this.#batch(null, chunk.state, chunk.rows, steps?.last);
      return;
    }
    const running = new Map(snapshot.groups.map((s) => [s.key, s.rows]));
    for (const [i, g] of chunk.groups.entries()) {
      // The group's rows so far, as the running snapshot counts them.
      const rows = running.get(g.key);
      this.#batch(g.key, g.state, rows, steps?.groups?.[i], true);
    }
  }

  /** What the x axis shows. */
  xLabel(): string {
    return this.#step ?? 'rows';
  }

  /** The series in the order their keys first appeared, a last partial window included. */
  series(): RecordedSeries[] {
    return [...this.#curves].map(([key, c]) => {
      const points = [...c.points];
      if (c.state !== undefined && c.batches > 0) points.push([c.x, finalize(c.state, this.#reduction)]);
      return { key, points };
    });
  }

  #batch(
    key: GroupKey | null,
    state: LossState,
    rows: number | undefined,
    step: number | undefined,
    cumulative = false,
  ): void {
    let c = this.#curves.get(key);
    if (c === undefined) {
      if (this.#curves.size >= REPORT_MAX_SERIES) return;
      c = { state: undefined, batches: 0, x: 0, rows: 0, points: [], stride: 1, seen: 0 };
      this.#curves.set(key, c);
    }
    // Without a group, `rows` is the batch's; with one, the group's running count.
    if (cumulative) c.rows = rows ?? c.rows;
    else c.rows += rows ?? 0;
    const x = this.#step === undefined ? c.rows : (step ?? Number.NaN);
    c.state = c.state === undefined ? state : mergeStates(c.state, state);
    c.batches += 1;
    if (!Number.isNaN(x)) c.x = x;
    if (c.batches < this.#window) return;
    const point: [number, number] = [c.x, finalize(c.state, this.#reduction)];
    c.state = undefined;
    c.batches = 0;
    if (c.seen++ % c.stride !== 0) return;
    c.points.push(point);
    if (c.points.length > this.#maxPoints) {
      c.points = c.points.filter((_, i) => i % 2 === 0);
      c.stride *= 2;
    }
  }
}
