import type { GroupKey } from '@lossflow/rx';
import type { DisplayKey } from '../eval/displayKey.js';
import type { RunningSnapshot } from '../eval/runningSnapshots.js';

/**
 * Lines the report's chart draws at most: the groups that appeared first. Declared with the
 * recorder, which keeps no more series than this, so the report imports the recorder and not the
 * other way round.
 */
export const REPORT_MAX_SERIES = 50;

/** The running values of one group (or of all rows, key `null`) against the x axis. */
export interface RecordedSeries {
  readonly key: DisplayKey | null;
  readonly points: readonly (readonly [number, number])[];
}

/**
 * Collects the per-batch running values for the report's chart: one series per group, plotted
 * against the step column at the group's last row in each batch (the chunks' `steps`, which the
 * loss operators carry with their `step` option), or, without a step column, against the rows
 * counted into the group. Each series keeps at most about `maxPoints` points by halving its
 * resolution when full, so memory does not grow with the file; and only the first `maxSeries`
 * keys to appear get a series, so memory does not grow with the number of groups either.
 */
export class SeriesRecorder {
  readonly #step: string | undefined;
  readonly #maxPoints: number;
  readonly #maxSeries: number;
  readonly #series = new Map<GroupKey | null, Decimated>();

  /** @param step the column the loss operators were given as `step` (see `reportStep`); none: rows */
  constructor(step: string | undefined, maxPoints = 1000, maxSeries = REPORT_MAX_SERIES) {
    this.#step = step;
    this.#maxPoints = maxPoints;
    this.#maxSeries = maxSeries;
  }

  /** Adds the running values after one batch. */
  add(snapshot: RunningSnapshot): void {
    const { chunk } = snapshot;
    const steps = this.#step === undefined ? undefined : chunk.steps;
    if (chunk.groups === undefined) {
      this.#point(null, steps === undefined ? snapshot.rows : steps.last, snapshot.total);
      return;
    }
    // A key's last run in the batch holds its last row.
    const stepOf = new Map<GroupKey, number>();
    for (const [i, g] of chunk.groups.entries()) stepOf.set(g.key, steps?.groups?.[i] ?? Number.NaN);
    for (const g of snapshot.groups)
      this.#point(g.key, steps === undefined ? g.rows : (stepOf.get(g.key) ?? Number.NaN), g.value);
  }

  /** What the x axis shows. */
  xLabel(): string {
    return this.#step ?? 'rows';
  }

  /** The series in the order their keys first appeared. */
  series(): RecordedSeries[] {
    return [...this.#series].map(([key, d]) => ({ key, points: d.points() }));
  }

  #point(key: GroupKey | null, x: number, y: number): void {
    // No x (a null step, or a batch whose rows were all skipped): no point, so the line stays whole.
    if (Number.isNaN(x)) return;
    let d = this.#series.get(key);
    if (d === undefined) {
      if (this.#series.size >= this.#maxSeries) return;
      d = new Decimated(this.#maxPoints);
      this.#series.set(key, d);
    }
    d.add(x, y);
  }
}

/** Points kept at every `stride`-th value, the stride doubling whenever `max` is exceeded; the latest point is always kept. */
class Decimated {
  #kept: [number, number][] = [];
  #latest: [number, number] | undefined;
  #count = 0;
  #stride = 1;
  readonly #max: number;

  constructor(max: number) {
    this.#max = max;
  }

  add(x: number, y: number): void {
    this.#latest = [x, y];
    if (this.#count++ % this.#stride !== 0) return;
    this.#kept.push(this.#latest);
    if (this.#kept.length > this.#max) {
      this.#kept = this.#kept.filter((_, i) => i % 2 === 0);
      this.#stride *= 2;
    }
  }

  points(): [number, number][] {
    const latest = this.#latest;
    return latest === undefined || this.#kept.at(-1) === latest ? this.#kept : [...this.#kept, latest];
  }
}
