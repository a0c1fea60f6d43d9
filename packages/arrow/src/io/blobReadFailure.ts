import { ArrowReadError } from '../errors/ArrowReadError.js';

/**
 * The error for a failed read of a `Blob` or `File` (its `slice().arrayBuffer()` or a stream of it):
 * browsers reject such a read with a bare "network error" or "could not be read" when the file was
 * changed, truncated or removed after it was chosen, so the error says that and how to recover.
 * An `ArrowReadError` passes through unchanged.
 *
 * @example
 * const bytes = await blob.arrayBuffer().catch((e) => { throw blobReadFailure(e, file.name); });
 */
export function blobReadFailure(e: unknown, file?: string): ArrowReadError {
  if (e instanceof ArrowReadError) return e;
  return new ArrowReadError('IO', `reading the blob failed: ${e instanceof Error ? e.message : String(e)}`, {
    ...(file === undefined ? {} : { file }),
    hint: 'The file may have been changed or removed since it was chosen; choose it again.',
    cause: e,
  });
}
