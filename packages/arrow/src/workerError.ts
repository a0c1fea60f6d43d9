import { LossError, type LossErrorCode, type LossErrorContext } from '@lossflow/core';
import { ArrowReadError, type ArrowReadErrorCode, type ArrowReadErrorContext } from './ArrowReadError.js';

/** An error thrown in a worker thread, as plain data that can be posted to the reading thread. */
export interface SerializedError {
  readonly name: string;
  readonly message: string;
  readonly stack: string | undefined;
  /** `LossError` and `ArrowReadError`: their code, message without context, and context. */
  readonly code: string | undefined;
  readonly detail: string | undefined;
  readonly context: Readonly<Record<string, string | number>>;
}

const CONTEXT_KEYS = ['loss', 'argument', 'row', 'batch', 'column', 'hint', 'file', 'rowGroup'] as const;

/**
 * A thrown value as {@link SerializedError}: a `LossError` or `ArrowReadError` keeps its code and
 * every context field, so {@link reviveError} rebuilds the same error on the other side.
 *
 * @example
 * port.postMessage({ type: 'error', error: serializeError(e) });
 */
export function serializeError(e: unknown): SerializedError {
  if (!(e instanceof Error)) {
    return {
      name: 'Error',
      message: String(e),
      stack: undefined,
      code: undefined,
      detail: undefined,
      context: {},
    };
  }
  const fields = e as unknown as Record<string, unknown>;
  const context: Record<string, string | number> = {};
  for (const key of CONTEXT_KEYS) {
    const value = fields[key];
    if (typeof value === 'string' || typeof value === 'number') context[key] = value;
  }
  return {
    name: e.name,
    message: e.message,
    stack: e.stack,
    code: typeof fields.code === 'string' ? fields.code : undefined,
    detail: typeof fields.detail === 'string' ? fields.detail : undefined,
    context,
  };
}

/**
 * The error a worker threw, rebuilt in this thread with `more` context merged in (the error's own
 * fields win): a `LossError` or `ArrowReadError` of the same code, else an `Error` of the same
 * message. The stack is the worker's.
 *
 * @example
 * throw reviveError(reply.error, { batch: reply.index });
 */
export function reviveError(s: SerializedError, more: { batch?: number } = {}): Error {
  let error: Error;
  if (s.name === 'LossError' && s.code !== undefined && s.detail !== undefined) {
    error = new LossError(s.code as LossErrorCode, s.detail, { ...more, ...(s.context as LossErrorContext) });
  } else if (s.name === 'ArrowReadError' && s.code !== undefined && s.detail !== undefined) {
    error = new ArrowReadError(s.code as ArrowReadErrorCode, s.detail, {
      ...more,
      ...(s.context as ArrowReadErrorContext),
    });
  } else {
    error = new Error(s.message);
    if (s.name !== 'Error') Object.defineProperty(error, 'name', { value: s.name });
  }
  if (s.stack !== undefined) {
    error.stack = `${error.name}: ${error.message}\n${s.stack.split('\n').slice(1).join('\n')}`;
  }
  return error;
}
