/**
 * How an error class crosses a thread boundary: `structuredClone` keeps only an `Error`'s name and
 * message, so a package whose errors carry a code and context (where, and how to fix it) registers
 * a codec for them, in the reading thread and in its worker task module alike.
 */
export interface ErrorCodec<E extends Error = Error, D = unknown> {
  /** Unique among codecs; travels with the encoded error to pick the decoder. */
  readonly name: string;
  /** Whether this codec encodes `e` (typically `e instanceof MyError`). */
  is(e: unknown): e is E;
  /** The error as data `postMessage` can clone (plain objects, strings, numbers). */
  encode(e: E): D;
  /**
   * The error rebuilt from {@link encode}'s data, with `more` context the reading thread knows
   * (the batch index) merged in; the error's own fields win.
   */
  decode(data: D, more: { batch?: number }): Error;
}

const codecs = new Map<string, ErrorCodec>();

/**
 * Registers (or replaces, by name) a codec so errors it recognises keep their class, code and
 * context when thrown in a worker and rethrown in the reading thread. Register it on both sides:
 * at the top of the worker task module and in the code that starts the pool.
 *
 * @example
 * registerErrorCodec({
 *   name: 'LossError',
 *   is: (e): e is LossError => e instanceof LossError,
 *   encode: (e) => ({ code: e.code, detail: e.detail, context: { loss: e.loss, row: e.row } }),
 *   decode: (d, more) => new LossError(d.code, d.detail, { ...more, ...d.context }),
 * });
 */
export function registerErrorCodec<E extends Error, D>(codec: ErrorCodec<E, D>): void {
  codecs.set(codec.name, codec as unknown as ErrorCodec);
}

/** The codec registered last that recognises `e`, if any. */
export function codecFor(e: unknown): ErrorCodec | undefined {
  let found: ErrorCodec | undefined;
  for (const codec of codecs.values()) if (codec.is(e)) found = codec;
  return found;
}

/** The codec registered under `name`, if any. */
export function codecNamed(name: string): ErrorCodec | undefined {
  return codecs.get(name);
}
