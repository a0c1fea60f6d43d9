import { resolveColumns } from '@lossflow/arrow';
import { DataType, type RecordBatch, type Schema } from 'apache-arrow';
import type { MetricSelection } from './MetricSelection.js';

/** How far a row of class probabilities may sum from 1 (float32 softmax outputs, rounded logs). */
const SUM_TOLERANCE = 1e-3;

/**
 * Metrics whose value with class-index targets depends on `--scores` (they read the softmax, not
 * only the argmax, which logits and probabilities share). With 0/1 targets every metric that takes
 * `--scores` depends on it (its threshold or its bins apply to the sigmoid).
 */
const SOFTMAX_METRICS: ReadonlySet<string> = new Set(['calibrationError', 'brierScore', 'auroc']);

/**
 * Whether a run may need {@link probabilityNotice}: some `--metric` reads scores as logits by
 * default (no `--scores` given). Decided before any batch is read, so a run without such a metric
 * never looks at its first batch.
 */
export function mayNeedProbabilityNotice(selections: readonly MetricSelection[]): boolean {
  return selections.some((s) => s.entry.optionKeys.includes('scores') && s.options.scores === undefined);
}

/**
 * The note for a run whose `--metric`s read scores as logits by default (no `--scores`) while the
 * first batch's scores look like probabilities: every score in [0, 1] (against 0/1 targets), or
 * every row of scores per class in [0, 1] summing to 1 within 1e-3 (against class indices).
 * Probabilities read as logits go through the sigmoid or softmax again and give wrong calibration
 * errors, Brier scores and thresholded predictions, with no error; torchmetrics guesses per batch
 * instead, which could read the batches of one run differently. The note changes no value.
 * Undefined when nothing looks like probabilities (ordinary logits have scores outside [0, 1]).
 *
 * @param batch the first batch with rows (one pass over its score columns)
 */
export function probabilityNotice(
  selections: readonly MetricSelection[],
  batch: RecordBatch,
): string | undefined {
  const suspects = new Map<string, string[]>();
  const verdicts = new Map<string, boolean>();
  for (const selection of selections) {
    const { entry, options } = selection;
    if (!entry.optionKeys.includes('scores') || options.scores !== undefined) continue;
    const task = scoreTask(batch.schema, selection);
    if (task === undefined) continue;
    if (task.kind === 'multiclass' && !SOFTMAX_METRICS.has(entry.name)) continue;
    const key = `${task.kind}:${task.input}`;
    let probable = verdicts.get(key);
    if (probable === undefined) {
      probable = looksLikeProbabilities(batch, task.input, task.kind);
      verdicts.set(key, probable);
    }
    if (!probable) continue;
    const metrics = suspects.get(task.input) ?? [];
    if (!metrics.includes(entry.cliName)) metrics.push(entry.cliName);
    suspects.set(task.input, metrics);
  }
  if (suspects.size === 0) return undefined;
  const columns = [...suspects.keys()].map((c) => `'${c}'`).join(', ');
  const metrics = [...new Set([...suspects.values()].flat())];
  const one = suspects.size === 1;
  const it = one ? 'it' : 'them';
  return `lossflow eval: note: ${one ? 'column' : 'columns'} ${columns} ${one ? 'looks' : 'look'} like probabilities (in the first batch every score lies in [0, 1]; for scores per class, every row sums to 1), but --metric ${metrics.join(', ')} ${metrics.length === 1 ? 'reads' : 'read'} ${it} as logits (the default: the sigmoid or softmax is applied first). If ${one ? 'it holds' : 'they hold'} probabilities, pass --scores probabilities after ${metrics.length === 1 ? 'that --metric' : 'each of these --metric'}; if logits, pass --scores logits to silence this note.`;
}

/**
 * The metric's input column and how its scores are read, from the schema as the metric operators
 * resolve the columns; undefined for a column whose rows the check does not read (a `List`, not
 * floats) or that is not there (the run reports that).
 */
function scoreTask(
  schema: Schema,
  selection: MetricSelection,
): { readonly input: string; readonly kind: 'binary' | 'multiclass' } | undefined {
  const given: Record<string, string | undefined> = {
    input: selection.columns.input,
    target: selection.columns.target,
  };
  let resolved: Record<string, string | undefined>;
  try {
    resolved = resolveColumns(schema, given);
  } catch {
    return undefined;
  }
  const input = schema.fields.find((f) => f.name === resolved.input);
  const target = schema.fields.find((f) => f.name === resolved.target);
  if (input === undefined || target === undefined) return undefined;
  const type = input.type as DataType;
  if (DataType.isFloat(type)) return { input: input.name, kind: 'binary' };
  if (!DataType.isFixedSizeList(type) || !DataType.isFloat(type.children[0]!.type)) return undefined;
  // Scores per class against class indices (but a binary head (N, 1), read as (N)); against 0/1
  // targets of the same shape, one score per label.
  const perClass =
    type.listSize > 1 && !DataType.isFixedSizeList(target.type) && !DataType.isList(target.type);
  return { input: input.name, kind: perClass ? 'multiclass' : 'binary' };
}

/** One pass over a batch's score column: see {@link probabilityNotice}. */
function looksLikeProbabilities(batch: RecordBatch, column: string, kind: 'binary' | 'multiclass'): boolean {
  const vector = batch.getChild(column);
  const data = vector?.data[0];
  if (vector === null || vector === undefined || data === undefined || vector.data.length !== 1) return false;
  const fixed = DataType.isFixedSizeList(data.type);
  // Sliced buffers: a batch's values start at 0 (its `offset` is only the validity bitmap's).
  const values = (fixed ? data.children[0]?.values : data.values) as ArrayLike<number> | undefined;
  if (!(values instanceof Float32Array || values instanceof Float64Array)) return false;
  const width = fixed ? (data.type as { listSize: number }).listSize : 1;
  const nulls = data.nullCount > 0;
  let rows = 0;
  for (let i = 0; i < data.length; i++) {
    if (nulls && !vector.isValid(i)) continue;
    rows++;
    let sum = 0;
    for (let j = i * width; j < (i + 1) * width; j++) {
      const v = values[j]!;
      // NaN fails both comparisons: not a probability.
      if (!(v >= 0 && v <= 1)) return false;
      sum += v;
    }
    if (kind === 'multiclass' && !(Math.abs(sum - 1) <= SUM_TOLERANCE)) return false;
  }
  return rows > 0;
}
