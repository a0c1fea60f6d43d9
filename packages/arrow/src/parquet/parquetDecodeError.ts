import { ArrowReadError } from '../errors/ArrowReadError.js';

/**
 * Messages of the Parquet decoder that mean "valid, but not readable here". A bare `codec` is not
 * one: a damaged footer says "Required field codec is missing", which is damage, not a codec.
 */
const UNSUPPORTED =
  /not (yet )?(implemented|supported)|unsupported|disabled feature|unknown (codec|compression)/i;
/**
 * Messages of a decoder that did not load (Node's require and import of a missing module or
 * package; WebAssembly that does not compile or link): the file was never looked at. The quoted
 * name, when there is one, is the module.
 */
const NOT_LOADED =
  /cannot find (?:module|package) '([^']+)'|\b(?:ERR_)?MODULE_NOT_FOUND\b|\b(?:CompileError|LinkError)\b|WebAssembly\.(?:Module|Instance|instantiate|compile)\(\)/i;
/** Messages that mean the data ends early or points outside the file. */
const ENDS_EARLY = /\beof\b|end of file|unexpected end|out of (range|bounds)|insufficient|not enough/i;

/**
 * A failure of the Parquet decoder as the typed error it stands for: `DECODER_UNAVAILABLE` when
 * the decoder itself did not load (parquet-wasm not installed or not bundled), `UNSUPPORTED` for a
 * feature it lacks, else `CORRUPT`; an `ArrowReadError` already typed stays as it is. The one classifier of both Parquet paths (the in-thread reader's
 * decoding thread and the worker pool), so damaged input fails the same way at any `threads`.
 *
 * @example
 * throw parquetDecodeError(e, 'log.parquet', 3);
 */
export function parquetDecodeError(e: unknown, file: string, rowGroup: number | undefined): ArrowReadError {
  if (e instanceof ArrowReadError) return e;
  const message = e instanceof Error ? e.message : String(e);
  const context = {
    file,
    ...(e instanceof Error ? { cause: e } : {}),
    ...(rowGroup === undefined ? {} : { rowGroup }),
  };
  const notLoaded = NOT_LOADED.exec(message);
  if (notLoaded !== null) {
    const module = notLoaded[1] ?? 'parquet-wasm';
    return new ArrowReadError(
      'DECODER_UNAVAILABLE',
      // Node's first line says it all; its require stack follows.
      `the Parquet decoder '${module}' could not be loaded (the file was not read): ${message.split('\n')[0]}`,
      {
        ...context,
        hint: `Install '${module}' beside @lossflow/arrow (it is one of its dependencies: run your package manager's install again), and keep it external when bundling, next to the bundle's node_modules.`,
      },
    );
  }
  if (UNSUPPORTED.test(message)) {
    return new ArrowReadError('UNSUPPORTED', `the Parquet decoder cannot read this file: ${message}`, {
      ...context,
      hint: 'Write the file with a common codec (SNAPPY, ZSTD, GZIP, LZ4_RAW, BROTLI or none) and common types.',
    });
  }
  if (ENDS_EARLY.test(message)) {
    return new ArrowReadError(
      'CORRUPT',
      `the Parquet data ends early or points outside the file: ${message}`,
      {
        ...context,
        hint: 'The file is damaged or was cut short: write it again.',
      },
    );
  }
  return new ArrowReadError('CORRUPT', `malformed Parquet data: ${message}`, {
    ...context,
    hint: 'The file is damaged or is not Parquet: write it again.',
  });
}
