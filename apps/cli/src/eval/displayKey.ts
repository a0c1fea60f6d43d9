import type { GroupKey } from '@lossflow/rx';

/** The key of a group (`--by epoch`: a value; `--by run,epoch`: one value per name, in `--by` order). */
export type DisplayKey = GroupKey | { readonly [name: string]: GroupKey };

/** A group's final or running value, keyed as the outputs show it. */
export interface DisplayGroup {
  readonly key: DisplayKey;
  readonly value: number;
  /** Rows counted in the group so far. */
  readonly rows: number;
  /** The batches that held rows of the group (final values only). */
  readonly batches?: number;
}

/**
 * A key as one line of text: a value as it is; several as `run=a epoch=3` (the table, the report's
 * legend and the CSV output).
 */
export function keyLabel(key: DisplayKey): string {
  if (typeof key !== 'object') return String(key);
  return Object.entries(key)
    .map(([name, v]) => `${name}=${String(v)}`)
    .join(' ');
}

/**
 * `--by`'s names as prose reads them (`run,epoch` → `run, epoch`): the report's titles, table
 * header and "Grouped by" line. Machine outputs (CSV, JSON) keep the names as given.
 */
export function keyNamesLabel(by: string): string {
  return by
    .split(',')
    .map((s) => s.trim())
    .join(', ');
}
