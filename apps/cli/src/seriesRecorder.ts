import { ArrowReadError } from '@lossflow/arrow';
import type { GroupKey } from '@lossflow/rx';
import type { Schema } from 'apache-arrow';
import type { RunningSnapshot } from './runningSnapshots.js';

/** The running values of one group (or of all rows, key `null`) against the x axis. */
export interface RecordedSeries {
  readonly key: GroupKey | null;
  readonly points: readonly (readonly [number, number])[];
}

/**
 * Collects the per-batch running values for the report's chart: one series per group, plotted
 * against the step column at the group's last row in each batch (or, without a step column,
 * against the rows counted into the group). Each series keeps at most about `maxPoints` points
 * by halving its resolution when full, so memory does not grow with the file.
 */
export class SeriesRecorder {
  readonly #requested: string | undefined;
  readonly #useStep: boolean;
  readonly #maxPoints: number;
  readonly #series = new Map<GroupKey | null, Decimated>();
  #column: string | null | undefined;

  /**
   * @param step the column to plot against; default `step` when the file has one
   * @param useStep false when rows may be skipped (nulls), since row positions no longer match the source
   */
  constructor(step: string | undefined, useStep: boolean, maxPoints = 1000) {
    this.#requested = step;
    this.#useStep = useStep;
    this.#maxPoints = maxPoints;
  }

  /** Adds the running values after one batch. @throws {ArrowReadError} when the requested step column is missing. */
  add(snapshot: RunningSnapshot): void {
    const { chunk } = snapshot;
    // The report's pass reads in the main thread, so every chunk has its batch.
    const source = chunk.source!;
    const column = this.#stepColumn(source.schema);
    const stepAt = (row: number): number => {
      if (column === null) return Number.NaN;
      const v = source.getChild(column)?.get(row) as number | bigint | null | undefined;
      return v === null || v === undefined ? Number.NaN : Number(v);
    };
    if (chunk.groups === undefined) {
      const x = column === null ? snapshot.rows : stepAt(source.numRows - 1);
      this.#point(null, x, snapshot.total);
      return;
    }
    const lastRow = new Map<GroupKey, number>();
    let offset = 0;
    for (const g of chunk.groups) {
      offset += g.state.rows;
      lastRow.set(g.key, offset - 1);
    }
    for (const g of snapshot.groups) {
      const x = column === null ? g.rows : stepAt(lastRow.get(g.key) ?? Number.NaN);
      this.#point(g.key, x, g.value);
    }
  }

  /** What the x axis shows. */
  xLabel(): string {
    if (typeof this.#column === 'string') return this.#column;
    return 'rows';
  }

  /** The series in the order their keys first appeared. */
  series(): RecordedSeries[] {
    return [...this.#series].map(([key, d]) => ({ key, points: d.points() }));
  }

  #point(key: GroupKey | null, x: number, y: number): void {
    let d = this.#series.get(key);
    if (d === undefined) {
      d = new Decimated(this.#maxPoints);
      this.#series.set(key, d);
    }
    d.add(x, y);
  }

  #stepColumn(schema: Schema): string | null {
    if (this.#column !== undefined) return this.#column;
    const names = schema.fields.map((f) => f.name);
    if (this.#requested !== undefined && !names.includes(this.#requested)) {
      throw new ArrowReadError('MISSING_COLUMN', `the step column '${this.#requested}' is not in the data`, {
        column: this.#requested,
        hint: `Pass --step with one of: ${names.join(', ')}.`,
      });
    }
    const wanted = this.#requested ?? (names.includes('step') ? 'step' : undefined);
    this.#column = this.#useStep && wanted !== undefined ? wanted : null;
    return this.#column;
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
