import { lossDescriptor } from '@lossflow/core';
import { failureSentence } from '@lossflow/rx';
import { pageHint } from './pageHint.js';
import type { ErrorData } from './workerMessages.js';

/**
 * Why a run ended without a result, worded as `lossflow eval` words it (its `failureSentence`): what could not be done
 * (read the data, compute a loss), where (file, batch, row, column), the error and its code, and
 * how to fix it. No partial result is ever shown with one.
 */
export class RunFailure extends Error {
  override readonly name = 'RunFailure';
  readonly code: string | undefined;

  constructor(readonly data: ErrorData) {
    super(failureMessage(data));
    this.code = data.code;
  }
}

/**
 * The CLI's one-line failure: `cannot read the data (file 'log.arrows', batch 1): … [TRUNCATED]. hint`.
 *
 * @example
 * failureMessage(errorData(e)); // "cannot compute cross-entropy (file 'a.arrows', batch 2, row 3): … [TARGET_OUT_OF_RANGE]. …"
 */
export function failureMessage(e: ErrorData): string {
  // Bad usage (a file chosen twice) is said as it is, as the CLI says it.
  if (e.name === 'UsageError') return e.message;
  const what =
    e.name === 'LossError'
      ? `cannot compute ${e.loss === undefined ? 'the loss' : (lossDescriptor(e.loss)?.cliName ?? e.loss)}`
      : e.code === 'ABORTED'
        ? 'cancelled'
        : 'cannot read the data';
  const detail = (e.detail ?? e.message).replace(/\.$/, '');
  const text = failureSentence(
    what,
    {
      file: e.file,
      batch: e.batch,
      row: e.row,
      column: e.column,
      earlier:
        e.firstBatch === undefined
          ? undefined
          : { code: e.code ?? '', file: e.firstFile, batch: e.firstBatch },
    },
    detail,
    e.code,
    [],
  );
  const hint = pageHint(e);
  return hint === undefined || text.includes(hint) ? text : `${text} ${hint}`;
}
