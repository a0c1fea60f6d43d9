import { arrowReadErrorCodec } from './arrowReadErrorCodec.js';
import { codecFor, codecNamed, registerErrorCodec } from './errorCodec.js';

// Arrow's own errors always cross intact; other packages register theirs (see registerErrorCodec).
registerErrorCodec(arrowReadErrorCodec);

/** An error thrown in a worker thread, as plain data that can be posted to the reading thread. */
export interface SerializedError {
  readonly name: string;
  readonly message: string;
  readonly stack: string | undefined;
  /** The registered codec that encoded it, if one recognised the error. */
  readonly codec: string | undefined;
  /** The codec's encoding of the error. */
  readonly data: unknown;
  /**
   * The error's own fields whose values are strings, numbers or booleans (a `code`, a `row`, a
   * `hint`, …): what an error with no codec on either side keeps of its context.
   */
  readonly fields?: Readonly<Record<string, string | number | boolean>>;
}

/** Fields every `Error` has, or that cannot cross as they are: not copied into {@link SerializedError.fields}. */
const OWN_KEYS = new Set(['name', 'message', 'stack', 'cause']);

function plainFields(e: Error): Record<string, string | number | boolean> {
  const fields: Record<string, string | number | boolean> = {};
  for (const key of Object.keys(e)) {
    if (OWN_KEYS.has(key)) continue;
    const value = (e as unknown as Record<string, unknown>)[key];
    if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean')
      fields[key] = value;
  }
  return fields;
}

/**
 * A thrown value as {@link SerializedError}: an error a registered codec recognises (an
 * `ArrowReadError`, a `LossError` once `@lossflow/rx` registered it) keeps its code and context, so
 * {@link reviveError} rebuilds the same error on the other side.
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
      codec: undefined,
      data: undefined,
      fields: {},
    };
  }
  const codec = codecFor(e);
  return {
    name: e.name,
    message: e.message,
    stack: e.stack,
    codec: codec?.name,
    data: codec?.encode(e),
    fields: plainFields(e),
  };
}

/**
 * The error a worker threw, rebuilt in this thread with `more` context merged in (the error's own
 * fields win) by the codec that encoded it, else (no codec recognised it, or this thread has none
 * of that name) an `Error` of the same name and message with its plain fields (`code`, `row`,
 * `hint`, …) and `more` as properties. The stack is the worker's.
 *
 * @example
 * throw reviveError(reply.error, { batch: reply.index });
 */
export function reviveError(s: SerializedError, more: { batch?: number } = {}): Error {
  const codec = s.codec === undefined ? undefined : codecNamed(s.codec);
  let error: Error;
  if (codec !== undefined) {
    error = codec.decode(s.data, more);
  } else {
    error = Object.assign(new Error(s.message), more, s.fields);
    if (s.name !== 'Error') Object.defineProperty(error, 'name', { value: s.name });
  }
  if (s.stack !== undefined) {
    error.stack = `${error.name}: ${error.message}\n${s.stack.split('\n').slice(1).join('\n')}`;
  }
  return error;
}

/**
 * `s` with its row moved `by` rows on: a row range of a batch (see `rowRangePlans`) numbers its
 * rows from its first, the error must name the row of the batch. Applies to codecs that encode
 * their context as `{ context: { row } }` (Arrow's and `@lossflow/rx`'s); others are left as they are.
 *
 * @example
 * const error = shiftErrorRow(serializeError(e), block.firstRow ?? 0);
 */
export function shiftErrorRow(s: SerializedError, by: number): SerializedError {
  if (by === 0 || typeof s.data !== 'object' || s.data === null) return s;
  const { context } = s.data as { context?: unknown };
  if (typeof context !== 'object' || context === null) return s;
  const { row } = context as { row?: unknown };
  if (typeof row !== 'number') return s;
  return { ...s, data: { ...s.data, context: { ...context, row: row + by } } };
}
