import { ArrowReadError, type ArrowReadErrorCode, type ArrowReadErrorContext } from './ArrowReadError.js';
import type { ErrorCodec } from './errorCodec.js';

interface EncodedArrowReadError {
  readonly code: ArrowReadErrorCode;
  readonly detail: string;
  readonly context: ArrowReadErrorContext;
}

const CONTEXT_KEYS = ['file', 'batch', 'rowGroup', 'row', 'column', 'hint'] as const;

/** {@link ArrowReadError} across threads: its code, detail and every context field. */
export const arrowReadErrorCodec: ErrorCodec<ArrowReadError, EncodedArrowReadError> = {
  name: 'ArrowReadError',
  is: (e): e is ArrowReadError => e instanceof ArrowReadError,
  encode: (e) => {
    const context: Record<string, string | number> = {};
    for (const key of CONTEXT_KEYS) {
      const value = e[key];
      if (value !== undefined) context[key] = value;
    }
    return { code: e.code, detail: e.detail, context };
  },
  decode: (d, more) => new ArrowReadError(d.code, d.detail, { ...more, ...d.context }),
};
