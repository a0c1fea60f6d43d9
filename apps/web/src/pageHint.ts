import type { ErrorData } from './workerMessages.js';

/** A stream without its end-of-stream marker: the page always asks for the marker. */
const MISSING_END_OF_STREAM_FIX =
  'The writer may have been killed before it closed the stream: copy the file again once it is complete. The page reads only complete streams; lossflow eval --allow-missing-end-of-stream reads one without its marker.';

/** A null in a used column: the page has no way to leave such rows out. */
const NULL_VALUE_FIX =
  'Fill or drop the nulls when writing the log; the page cannot leave such rows out (lossflow eval --nulls skip does).';

/**
 * The CLI's fix for a data error that brings no hint of its own (its `describeFailure`), where the
 * page can say the same: the CLI's others name its flags or a path.
 */
const DATA_FIXES: Partial<Record<string, string>> = {
  TRUNCATED: 'The file ends early, probably cut off while being written or copied: write or copy it again.',
  BAD_MAGIC: 'lossflow reads Arrow IPC streams, Arrow IPC files and Parquet; check the file is one of them.',
  CORRUPT: 'The bytes are damaged: write or copy the file again.',
};

/**
 * The fix for a failure as a page user can act on it. The libraries' hints name their options
 * (`allowMissingEndOfStream: true`, `nulls: 'skip'`) and the CLI says its flags instead; the page
 * has no control for either, so it names the CLI's flag as the way out. A data error without a
 * hint gets the CLI's fix for its code. Any other hint is the error's own.
 *
 * @example
 * pageHint(errorData(e)); // "Fill or drop the nulls when writing the log; the page cannot leave…"
 */
export function pageHint(e: ErrorData): string | undefined {
  if (e.code === 'TRUNCATED' && e.hint?.includes('allowMissingEndOfStream') === true)
    return MISSING_END_OF_STREAM_FIX;
  if (e.code === 'NULL_VALUE') return NULL_VALUE_FIX;
  if (e.hint === undefined && e.name === 'ArrowReadError' && e.code !== undefined) return DATA_FIXES[e.code];
  return e.hint;
}
