// The worker entry, not the root: the loss task imports this, and the root loads apache-arrow.
import { ArrowReadError, type ArrowReadErrorContext } from '@lossflow/arrow/worker';
import { LossError, type LossErrorContext } from '@lossflow/core';

const LOSS_KEYS = ['loss', 'argument', 'batch', 'column', 'file', 'firstBatch', 'firstFile', 'hint'] as const;
const ARROW_KEYS = ['file', 'batch', 'rowGroup', 'column', 'hint'] as const;

/**
 * `e` naming row `to(e.row)` instead of `e.row` (a LossError or ArrowReadError with a row; any other
 * error as it is): a row of the tensors a loss computed (only the rows kept, or one row range of the
 * batch) must be named as the batch's row. `withContext` cannot do it: an error's own fields win.
 *
 * @example
 * throw errorAtRow(e, (row) => keep[row]!); // the kept row's row in the batch
 */
export function errorAtRow(e: unknown, to: (row: number) => number): unknown {
  if (e instanceof LossError && e.row !== undefined) {
    const context: Record<string, unknown> = { row: to(e.row) };
    for (const k of LOSS_KEYS) if (e[k] !== undefined) context[k] = e[k];
    return withStack(new LossError(e.code, e.detail, context as LossErrorContext), e);
  }
  if (e instanceof ArrowReadError && e.row !== undefined) {
    const context: Record<string, unknown> = { row: to(e.row) };
    for (const k of ARROW_KEYS) if (e[k] !== undefined) context[k] = e[k];
    if (e.cause !== undefined) context.cause = e.cause;
    return withStack(new ArrowReadError(e.code, e.detail, context as ArrowReadErrorContext), e);
  }
  return e;
}

function withStack<E extends Error>(copy: E, from: Error): E {
  if (from.stack !== undefined)
    copy.stack = `${copy.name}: ${copy.message}\n${from.stack.split('\n').slice(1).join('\n')}`;
  return copy;
}
