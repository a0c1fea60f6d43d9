import type { Schema } from 'apache-arrow';
import { ArrowReadError } from '../errors/ArrowReadError.js';
import { listColumns } from '../schema/describeSchema.js';
import { leftOutByProjection } from '../schema/leftOutColumns.js';
import { missingColumnError } from '../schema/missingColumnError.js';
import { tensorLayout } from '../schema/tensorLayout.js';

/** Column names tried, in order, for the `input` role when none is given. */
export const DEFAULT_INPUT_COLUMNS: readonly string[] = Object.freeze([
  'logits',
  'input',
  'pred',
  'prediction',
]);

/** Column names tried, in order, for the `target` role when none is given. */
export const DEFAULT_TARGET_COLUMNS: readonly string[] = Object.freeze(['target', 'label', 'labels', 'y']);

/**
 * Column names by role, checked against a schema: every role given by name must exist and be
 * usable as a tensor; `input` and `target`, when not given, are the first of
 * {@link DEFAULT_INPUT_COLUMNS} / {@link DEFAULT_TARGET_COLUMNS} present (an exact match first,
 * then one differing only in case). Roles mapped to `undefined` are left out.
 *
 * Throws `MISSING_COLUMN` (listing the available columns and their types) or `BAD_COLUMN_TYPE` /
 * `UNSUPPORTED` for a column that cannot become a tensor. `defaulted` limits the roles filled from
 * the defaults, for a loss without an `input` or `target` (triplets take anchor/positive/negative).
 *
 * @example
 * resolveColumns(schema, {});                      // { input: 'logits', target: 'label' }
 * resolveColumns(schema, { input: 'scores', weight: 'w' }); // { input: 'scores', weight: 'w', target: 'label' }
 */
export function resolveColumns(
  schema: Schema,
  wanted: { input?: string; target?: string } & Record<string, string | undefined>,
  defaulted: readonly ('input' | 'target')[] = ['input', 'target'],
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [role, name] of Object.entries(wanted)) {
    if (name === undefined) continue;
    check(schema, role, name);
    out[role] = name;
  }
  for (const [role, defaults] of [
    ['input', DEFAULT_INPUT_COLUMNS],
    ['target', DEFAULT_TARGET_COLUMNS],
  ] as const) {
    if (out[role] !== undefined || !defaulted.includes(role)) continue;
    const name = pickDefault(schema, defaults);
    if (name === undefined) {
      const explicit = `name the ${role} column explicitly (option '${role}', or --${role} on the command line)`;
      const leftOut = defaults.find((d) => leftOutByProjection(schema, d));
      throw new ArrowReadError(
        'MISSING_COLUMN',
        `no ${role} column: none of ${defaults.join(', ')} is present; available: ${listColumns(schema)}`,
        {
          hint:
            leftOut === undefined
              ? `${explicit[0]!.toUpperCase()}${explicit.slice(1)}.`
              : `The file has '${leftOut}', but the columns option leaves it out: add it to columns, or ${explicit}.`,
        },
      );
    }
    check(schema, role, name);
    out[role] = name;
  }
  return out;
}

function pickDefault(schema: Schema, defaults: readonly string[]): string | undefined {
  const names = schema.fields.map((f) => f.name);
  for (const d of defaults) if (names.includes(d)) return d;
  for (const d of defaults) {
    const near = names.find((n) => n.toLowerCase() === d);
    if (near !== undefined) return near;
  }
  return undefined;
}

function check(schema: Schema, role: string, name: string): void {
  const field = schema.fields.find((f) => f.name === name);
  if (field === undefined) throw missingColumnError(schema, name);
  const layout = tensorLayout(field);
  if (!layout.usable) {
    throw new ArrowReadError(
      layout.code,
      `the ${role} column cannot become a tensor: ${layout.reason}; available: ${listColumns(schema)}`,
      { column: name, hint: layout.hint },
    );
  }
}
