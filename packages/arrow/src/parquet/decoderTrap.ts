import { ArrowReadError } from '../errors/ArrowReadError.js';

/**
 * Whether a worker thread's failure is the Parquet decoder trapping: parquet-wasm is Rust compiled
 * to WebAssembly, and a damaged page makes it panic, which surfaces as a `RuntimeError`
 * ("unreachable", "memory access out of bounds", …) thrown where no caller can catch it.
 */
export function isDecoderTrap(e: unknown): boolean {
  const name = e instanceof Error ? e.name : '';
  const message = e instanceof Error ? e.message : String(e);
  return (
    name === 'RuntimeError' ||
    /\bunreachable\b|memory access out of bounds|out of bounds memory access|integer (overflow|divide by zero)|call stack exhausted/i.test(
      message,
    )
  );
}

/**
 * A trap of the Parquet decoder (see {@link isDecoderTrap}) while it decoded `rowGroup` (when
 * known) of `file`, as the `CORRUPT` error it stands for: the file's footer may be fine (so
 * `lossflow inspect` reads it), but a data page of that row group does not decode.
 *
 * @example
 * worker.on('error', (e) => fail(decoderTrapError(e, 'log.parquet', 3, ['logits', 'target'])));
 */
export function decoderTrapError(
  e: unknown,
  file: string,
  rowGroup: number | undefined,
  columns: readonly string[] | undefined,
): ArrowReadError {
  const message = e instanceof Error ? e.message : String(e);
  const what =
    rowGroup === undefined
      ? "the Parquet decoder failed on the file's metadata"
      : `the Parquet decoder failed on a data page of row group ${rowGroup}${
          columns === undefined || columns.length === 0
            ? ''
            : ` (decoding column${columns.length === 1 ? '' : 's'} ${columns.map((c) => `'${c}'`).join(', ')})`
        }`;
  return new ArrowReadError('CORRUPT', `${what}: ${message}`, {
    file,
    cause: e,
    ...(rowGroup === undefined ? {} : { rowGroup }),
    hint: 'The file is damaged (its footer may still read, so inspect can list it): write or copy it again.',
  });
}
