import { ArrowReadError } from '@lossflow/arrow';
import { LossError } from '@lossflow/core';
import { UsageError } from '../errors/UsageError.js';

/** Loss error codes about a column's type or shape, or an option, rather than about values in rows. */
const RUN_LOSS_CODES = new Set([
  'INVALID_OPTION',
  'INVALID_REDUCTION',
  'INVALID_DTYPE',
  'INVALID_SHAPE',
  'SHAPE_MISMATCH',
]);

/** Read error codes about the columns a file has, not about its bytes. */
const RUN_READ_CODES = new Set(['MISSING_COLUMN', 'BAD_COLUMN_TYPE']);

/**
 * Whether `error` is about the run itself (its options against the files' columns: a column a
 * file lacks, a column of the wrong type or shape, a loss option its data rules out), which every
 * delivery of every item of the file meets alike, rather than about an item's bytes or values (a
 * damaged batch, a target out of range, a row of the wrong length), which another delivery or
 * another worker may not. Such an error fails a distributed run at once, as it fails a local eval
 * at its first batch, instead of after every delivery of an item.
 */
export function isRunError(error: unknown): boolean {
  if (error instanceof UsageError) return true;
  if (error instanceof ArrowReadError) return RUN_READ_CODES.has(error.code);
  // The group budget (--max-groups) against a batch's keys: the run's option, which every delivery
  // of the item meets at the same row; never a damaged item.
  if (error instanceof LossError && error.code === 'TOO_MANY_GROUPS') return true;
  // A row named: the error is about that row's values (a ragged list), not the column.
  return error instanceof LossError && RUN_LOSS_CODES.has(error.code) && error.row === undefined;
}
