/**
 * Machine-readable reasons a loss can refuse its input. Each maps to a class of torch error
 * (shape, index, value, option), so callers can branch on it without parsing messages.
 */
export type LossErrorCode =
  | 'INVALID_SHAPE'
  | 'SHAPE_MISMATCH'
  | 'INVALID_DTYPE'
  | 'INVALID_REDUCTION'
  | 'INVALID_OPTION'
  | 'TARGET_OUT_OF_RANGE'
  | 'INPUT_OUT_OF_RANGE'
  | 'INVALID_VALUE'
  | 'STATE_MISMATCH'
  | 'SHAPE_CHANGED'
  | 'DTYPE_CHANGED'
  // Not a torch error: threads were asked for where a pipeline cannot run in them (@lossflow/rx).
  | 'THREADS_UNAVAILABLE'
  // Not a torch error: a grouped stream has more groups than its memory budget (@lossflow/rx's GroupBudget).
  | 'TOO_MANY_GROUPS';

/** Where an error happened, as far as the layer that throws (or rethrows) knows it. */
export interface LossErrorContext {
  /** The loss, by its `@lossflow/core` function name (`crossEntropy`). */
  loss?: string;
  /** The argument at fault (`target`, `weight`, `reduction`, …). */
  argument?: string;
  /** Row (index along dimension 0) of the offending element, within the tensor or batch. */
  row?: number;
  /** Batch number in a stream (set by the streaming layers). */
  batch?: number;
  /** Column name in a record batch (set by the streaming layers). */
  column?: string;
  /** The file the batch was read from, where the streaming layer knows it. */
  file?: string;
  /** With `SHAPE_CHANGED` / `DTYPE_CHANGED`: the first batch of the shape (type) the stream had before `batch`. */
  firstBatch?: number;
  /** With `SHAPE_CHANGED` / `DTYPE_CHANGED`: the file of `firstBatch`, where the streaming layer knows it. */
  firstFile?: string;
  /** How to fix it, one sentence. */
  hint?: string;
}

/**
 * The one error type every `@lossflow/*` loss throws for bad input: a wrong shape, a class index out
 * of range, an invalid option, a value torch rejects. Never a wrong number instead.
 *
 * @example
 * try { crossEntropy(logits, target); }
 * catch (e) { if (e instanceof LossError && e.code === 'TARGET_OUT_OF_RANGE') console.error(e.row); }
 */
export class LossError extends Error {
  override readonly name = 'LossError';
  readonly code: LossErrorCode;
  readonly loss: string | undefined;
  readonly argument: string | undefined;
  readonly row: number | undefined;
  readonly batch: number | undefined;
  readonly column: string | undefined;
  readonly file: string | undefined;
  readonly firstBatch: number | undefined;
  readonly firstFile: string | undefined;
  readonly hint: string | undefined;
  /** The message without location and hint (no trailing period), so a streaming layer can re-wrap it with more context. */
  readonly detail: string;

  constructor(code: LossErrorCode, detail: string, context: LossErrorContext = {}) {
    super(formatMessage(detail, context));
    this.code = code;
    this.detail = detail;
    this.loss = context.loss;
    this.argument = context.argument;
    this.row = context.row;
    this.batch = context.batch;
    this.column = context.column;
    this.file = context.file;
    this.firstBatch = context.firstBatch;
    this.firstFile = context.firstFile;
    this.hint = context.hint;
  }

  /** A copy with more context (batch, column, …) merged in; the original's fields win where set. */
  withContext(context: LossErrorContext): LossError {
    const merged: LossErrorContext = { ...context };
    for (const key of CONTEXT_KEYS) {
      const value = this[key];
      if (value !== undefined) (merged as Record<string, unknown>)[key] = value;
    }
    const copy = new LossError(this.code, this.detail, merged);
    if (this.stack !== undefined)
      copy.stack = `${copy.name}: ${copy.message}\n${this.stack.split('\n').slice(1).join('\n')}`;
    return copy;
  }
}

const CONTEXT_KEYS = [
  'loss',
  'argument',
  'row',
  'batch',
  'column',
  'file',
  'firstBatch',
  'firstFile',
  'hint',
] as const satisfies readonly (keyof LossErrorContext)[];

function formatMessage(detail: string, c: LossErrorContext): string {
  const where: string[] = [];
  if (c.file !== undefined) where.push(`file '${c.file}'`);
  if (c.column !== undefined) where.push(`column '${c.column}'`);
  else if (c.argument !== undefined) where.push(`argument '${c.argument}'`);
  if (c.batch !== undefined) where.push(`batch ${c.batch}`);
  if (c.row !== undefined) where.push(`row ${c.row}`);
  if (c.firstBatch !== undefined) {
    const file = c.firstFile === undefined || c.firstFile === c.file ? '' : ` of file '${c.firstFile}'`;
    where.push(`before: from batch ${c.firstBatch}${file}`);
  }
  const head = c.loss !== undefined ? `${c.loss}: ` : '';
  const loc = where.length > 0 ? ` (${where.join(', ')})` : '';
  const hint = c.hint !== undefined ? ` ${c.hint}` : '';
  return `${head}${detail}${loc}.${hint}`;
}
