/**
 * Machine-readable reasons reading (or writing) a prediction log can fail, so callers can branch on
 * them without parsing messages:
 *
 * - `BAD_MAGIC`: the bytes are neither an Arrow IPC stream, an Arrow IPC file nor Parquet.
 * - `TRUNCATED`: the input ends in the middle of a message, block or row group, or an Arrow IPC
 *   stream ends without its end-of-stream marker (see `ReadOptions.allowMissingEndOfStream`).
 * - `CORRUPT`: the bytes are malformed (a length, an offset or metadata that cannot be right, a
 *   message of a type that cannot be there, bytes after an IPC stream's end-of-stream marker).
 * - `UNSUPPORTED`: valid, but uses something this reader cannot decode (a codec, a type, a layout).
 * - `DECODER_UNAVAILABLE`: a decoder this reader needs could not be loaded (a module not installed
 *   or not bundled, WebAssembly that does not compile here); says nothing about the file.
 * - `MISSING_COLUMN`: a column that was asked for is not in the schema.
 * - `BAD_COLUMN_TYPE`: the column exists but its type cannot become a tensor.
 * - `NULL_VALUE`: a selected row holds a null (and nulls are not skipped).
 * - `RAGGED`: the rows of a list column have different lengths, so they do not form a tensor.
 * - `SHAPE_CHANGED`: a batch's per-row tensor shape differs from the batches before it.
 * - `CHANGED`: a regular file was written to (rewritten in place, appended to) while it was read, so
 *   the bytes read may come from two versions of it; nothing read from it is reported as a result.
 * - `ABORTED`: the caller's `AbortSignal` fired.
 * - `CLOSED`: the reader was closed, or is already being iterated.
 * - `IO`: reading the file system or the stream failed (not found, permission, a device error).
 * - `WRITE`: writing a file or stream failed (disk full, permission, a closed pipe).
 * - `INVALID_OPTION`: an option has a value it cannot take (`threads: 2.5`, `limit: -1`).
 */
export type ArrowReadErrorCode =
  | 'BAD_MAGIC'
  | 'TRUNCATED'
  | 'CORRUPT'
  | 'UNSUPPORTED'
  | 'DECODER_UNAVAILABLE'
  | 'MISSING_COLUMN'
  | 'BAD_COLUMN_TYPE'
  | 'NULL_VALUE'
  | 'RAGGED'
  | 'SHAPE_CHANGED'
  | 'CHANGED'
  | 'ABORTED'
  | 'CLOSED'
  | 'IO'
  | 'WRITE'
  | 'INVALID_OPTION';

/** Where an error happened, as far as the layer that throws (or rethrows) knows it. */
export interface ArrowReadErrorContext {
  /** The file path, or a description of the source (`<bytes>`, `<stream>`). */
  file?: string;
  /** Index of the record batch within the source (0-based). */
  batch?: number;
  /** Index of the Parquet row group (0-based). */
  rowGroup?: number;
  /** Row within the batch (0-based). */
  row?: number;
  column?: string;
  /** How to fix it, one sentence. */
  hint?: string;
  cause?: unknown;
}

/**
 * The one error type `@lossflow/arrow` throws: every failure of a file, a stream or a column ends
 * in one of these, with a {@link ArrowReadErrorCode} and as much location as is known. The message
 * says what went wrong, where, and how to fix it.
 *
 * @example
 * try { for await (const batch of readBatches(file)) use(batch); }
 * catch (e) { if (e instanceof ArrowReadError && e.code === 'TRUNCATED') console.error(e.file, e.batch); }
 */
export class ArrowReadError extends Error {
  override readonly name = 'ArrowReadError';
  readonly code: ArrowReadErrorCode;
  readonly file: string | undefined;
  readonly batch: number | undefined;
  readonly rowGroup: number | undefined;
  readonly row: number | undefined;
  readonly column: string | undefined;
  readonly hint: string | undefined;
  /** The message without location and hint, so an outer layer can re-wrap it with more context. */
  readonly detail: string;

  constructor(code: ArrowReadErrorCode, detail: string, context: ArrowReadErrorContext = {}) {
    super(
      formatMessage(code, detail, context),
      context.cause === undefined ? undefined : { cause: context.cause },
    );
    this.code = code;
    this.detail = detail;
    this.file = context.file;
    this.batch = context.batch;
    this.rowGroup = context.rowGroup;
    this.row = context.row;
    this.column = context.column;
    this.hint = context.hint;
  }

  /** A copy with more context merged in; the fields this error already has win. */
  withContext(context: ArrowReadErrorContext): ArrowReadError {
    const merged: ArrowReadErrorContext = { ...context };
    for (const key of ['file', 'batch', 'rowGroup', 'row', 'column', 'hint'] as const) {
      const value = this[key];
      if (value !== undefined) (merged as Record<string, unknown>)[key] = value;
    }
    if (this.cause !== undefined) merged.cause = this.cause;
    const copy = new ArrowReadError(this.code, this.detail, merged);
    if (this.stack !== undefined) {
      copy.stack = `${copy.name}: ${copy.message}\n${this.stack.split('\n').slice(1).join('\n')}`;
    }
    return copy;
  }
}

function formatMessage(code: ArrowReadErrorCode, detail: string, c: ArrowReadErrorContext): string {
  const where: string[] = [];
  if (c.file !== undefined) where.push(`file '${c.file}'`);
  if (c.rowGroup !== undefined) where.push(`row group ${c.rowGroup}`);
  if (c.batch !== undefined) where.push(`batch ${c.batch}`);
  if (c.row !== undefined) where.push(`row ${c.row}`);
  if (c.column !== undefined) where.push(`column '${c.column}'`);
  const loc = where.length > 0 ? ` (${where.join(', ')})` : '';
  const hint = c.hint !== undefined ? ` ${c.hint}` : '';
  return `${code}: ${detail}${loc}.${hint}`;
}
