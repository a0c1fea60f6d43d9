import { ArrowReadError, describeSchema, resolveColumns } from '@lossflow/arrow';
import { DataType, type Schema } from 'apache-arrow';
import type { EvalPlan } from '../args/evalArgs.js';
import { UsageError } from '../errors/UsageError.js';

/**
 * The columns an eval pass reads from a file with this schema: each loss's and each metric's role
 * columns (given or auto-detected as the operators will detect them), the `--by` column, the `--per-row` keys
 * and the report's step column, in schema order. Reading only these keeps Parquet from decoding
 * columns nobody uses.
 *
 * @throws {ArrowReadError} `MISSING_COLUMN`, listing the file's columns, for a column that is not there.
 */
export function evalColumns(
  plan: EvalPlan,
  schema: Schema,
  byColumns: readonly string[] = plan.by === undefined ? [] : [plan.by],
): string[] {
  const names = schema.fields.map((f) => f.name);
  const wanted = new Set<string>();
  for (const resolved of lossColumns(plan, schema))
    for (const column of Object.values(resolved)) wanted.add(column);
  const metrics = plan.metrics ?? [];
  for (const [i, resolved] of metricColumns(plan, schema).entries()) {
    for (const column of Object.values(resolved)) wanted.add(column);
    const metric = metrics[i]!;
    if (metric.options.threshold !== undefined)
      checkFlagApplies('threshold', schema, metric.entry.cliName, resolved);
    if (metric.options.multilabel !== undefined)
      checkFlagApplies('multilabel', schema, metric.entry.cliName, resolved);
  }
  // Checked here, against every column of the file: once projected, a batch could list only the
  // columns read.
  for (const c of byColumns) wanted.add(present(schema, c, '--by'));
  if (plan.perRow !== undefined) for (const k of plan.keys) wanted.add(present(schema, k, '--keys'));
  if (plan.report !== undefined) wanted.add(plan.step ?? 'step');
  // A name that is not in the schema is left for the stage that needs it to report, with its context.
  return names.filter((n) => wanted.has(n));
}

/**
 * The column each `--loss` reads per role (`{ input: 'logits', target: 'target' }`), given or
 * auto-detected from this schema as the loss operators detect them, in `plan.losses` order.
 *
 * @throws {ArrowReadError} `MISSING_COLUMN` for a column that is not there.
 */
export function lossColumns(plan: EvalPlan, schema: Schema): Record<string, string>[] {
  return plan.losses.map((loss) => {
    const roles: Record<string, string | undefined> = {};
    for (const role of loss.entry.roles) {
      roles[role] = loss.columns[role] ?? loss.entry.columns[role];
    }
    // Only losses that read `input` and `target` get their defaults (and their checks).
    const paired = loss.entry.roles.includes('input') && loss.entry.roles.includes('target');
    const resolved = paired ? resolveColumns(schema, roles) : checked(schema, roles);
    return Object.fromEntries(loss.entry.roles.map((role) => [role, resolved[role]!]));
  });
}

/**
 * The columns each `--metric` reads (`{ input: 'logits', target: 'target' }`), given or
 * auto-detected from this schema as the metric operators detect them, in `plan.metrics` order.
 *
 * @throws {ArrowReadError} `MISSING_COLUMN` for a column that is not there.
 */
export function metricColumns(plan: EvalPlan, schema: Schema): Record<string, string>[] {
  return (plan.metrics ?? []).map((metric) => {
    const given: Record<string, string | undefined> = {
      input: metric.columns.input,
      target: metric.columns.target,
    };
    return resolveColumns(schema, given);
  });
}

/**
 * What `--threshold` and `--multilabel` do with class-index targets (a vector of scores per row
 * against one integer): nothing. The prediction is the argmax, and there is one class per row. So
 * such a flag is refused rather than silently ignored.
 */
const WITH_CLASS_INDICES = {
  threshold: ", so the prediction is the argmax (a threshold applies to 0/1 targets of the input's shape)",
  multilabel:
    " (one class per row), so there are no labels to count apart (--multilabel applies to 0/1 targets of the input's shape, (N, L))",
} as const;

/**
 * @throws {UsageError} for `--threshold` or `--multilabel` on a metric whose input has a score
 * vector per row and whose target does not (see {@link WITH_CLASS_INDICES}).
 */
function checkFlagApplies(
  flag: keyof typeof WITH_CLASS_INDICES,
  schema: Schema,
  metric: string,
  resolved: Record<string, string | undefined>,
): void {
  const classes = classIndexColumns(schema, resolved);
  if (classes === undefined) return;
  throw new UsageError(
    `--${flag} does not apply to --metric ${metric} here: '${classes.input}' holds a score per class and '${classes.target}' class indices${WITH_CLASS_INDICES[flag]}. Drop --${flag}.`,
    'eval',
  );
}

/**
 * The input and target columns when they are scores per class against class indices: an input
 * of a vector per row (but for a vector of one score, a binary head `(N, 1)`, which is read as
 * `(N)`) and a target that is not a vector. Undefined otherwise, or when a column is not there.
 */
function classIndexColumns(
  schema: Schema,
  resolved: Record<string, string | undefined>,
): { readonly input: string; readonly target: string } | undefined {
  const field = (name: string | undefined) => schema.fields.find((f) => f.name === name);
  const input = field(resolved.input);
  const target = field(resolved.target);
  if (input === undefined || target === undefined) return undefined;
  const vector = (t: DataType) => DataType.isFixedSizeList(t) || DataType.isList(t);
  const binaryHead = DataType.isFixedSizeList(input.type) && input.type.listSize === 1;
  return vector(input.type) && !binaryHead && !vector(target.type)
    ? { input: input.name, target: target.name }
    : undefined;
}

function present(schema: Schema, name: string, flag: string): string {
  if (schema.fields.some((f) => f.name === name)) return name;
  const near = schema.fields.find((f) => f.name.toLowerCase() === name.toLowerCase());
  throw new ArrowReadError('MISSING_COLUMN', `no column '${name}'; available: ${available(schema)}`, {
    column: name,
    hint:
      near === undefined
        ? `Pass ${flag} one of the available columns (lossflow inspect lists them).`
        : `Did you mean ${flag} ${near.name}? Column names are case-sensitive.`,
  });
}

function checked(schema: Schema, roles: Record<string, string | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [role, name] of Object.entries(roles)) {
    if (name === undefined) continue;
    if (schema.fields.every((f) => f.name !== name)) {
      throw new ArrowReadError(
        'MISSING_COLUMN',
        `no column '${name}' for ${role}; available: ${available(schema)}`,
        {
          column: name,
          hint: 'Pick one of the available columns (lossflow inspect lists them).',
        },
      );
    }
    out[role] = name;
  }
  return out;
}

function available(schema: Schema): string {
  return describeSchema(schema)
    .map((c) => `${c.name} (${c.type})`)
    .join(', ');
}
