import { ArrowReadError } from '../errors/ArrowReadError.js';

/**
 * What to report for `error`, a failure while reading a file or computing on its bytes: the
 * `CHANGED` error `verify` throws when the file was written to since it was opened, with `error`
 * as its cause (bytes of a file rewritten mid-read often look damaged, or make a loss fail: the
 * change is why, and the cause says what it broke); else `error` itself. A `CHANGED` with a cause
 * of its own (the file could not be checked at all) keeps it.
 *
 * @example
 * catch (e) { throw await changedOr(e, () => bytes.verifyUnchanged()); }
 */
export async function changedOr(error: unknown, verify: () => Promise<void>): Promise<unknown> {
  try {
    await verify();
  } catch (changed) {
    return changed instanceof ArrowReadError && changed.cause === undefined
      ? changed.withContext({ cause: error })
      : changed;
  }
  return error;
}
