import { type ErrorCodec, registerErrorCodec } from '@lossflow/arrow/worker';
import { LossError, type LossErrorCode, type LossErrorContext } from '@lossflow/core';

interface EncodedLossError {
  readonly code: LossErrorCode;
  readonly detail: string;
  readonly context: LossErrorContext;
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

/** {@link LossError} across threads: its code, detail and every context field. */
export const lossErrorCodec: ErrorCodec<LossError, EncodedLossError> = {
  name: 'LossError',
  is: (e): e is LossError => e instanceof LossError,
  encode: (e) => {
    const context: Record<string, string | number> = {};
    for (const key of CONTEXT_KEYS) {
      const value = e[key];
      if (value !== undefined) context[key] = value;
    }
    return { code: e.code, detail: e.detail, context };
  },
  decode: (d, more) => new LossError(d.code, d.detail, { ...more, ...d.context }),
};

/**
 * Lets a `LossError` thrown by a loss in a worker thread reach the reading thread as a `LossError`
 * with its code and context; called in both threads (the worker task module and the pool's side).
 *
 * @example
 * registerLossErrorCodec();
 */
export function registerLossErrorCodec(): void {
  registerErrorCodec(lossErrorCodec);
}
