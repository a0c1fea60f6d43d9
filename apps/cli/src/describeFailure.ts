import { ArrowReadError } from '@lossflow/arrow';
import { LossError } from '@lossflow/core';
import { LOSSES } from './lossRegistry.js';
import { UsageError } from './UsageError.js';

/** How a command ends after an error: the exit code and the paragraph for stderr. */
export interface Failure {
  /** 2 for bad usage, 1 for a failure while reading or computing. */
  readonly exitCode: 1 | 2;
  readonly message: string;
}

/** What the command knows that the error may not: which file a stream-wide batch index falls in. */
export interface FailureContext {
  readonly command: string;
  readonly locate?: (batch: number) => { file: string; batch: number };
  /** The file being read when the error happened, for errors that do not name one (a missing column). */
  readonly currentFile?: () => string;
}

const ARROW_FIXES: Partial<Record<string, string>> = {
  TRUNCATED: 'The file ends early, probably cut off while being written or copied: write or copy it again.',
  BAD_MAGIC: 'lossflow reads Arrow IPC streams, Arrow IPC files and Parquet; check the file is one of them.',
  CORRUPT: 'The bytes are damaged: write or copy the file again.',
  BAD_COLUMN_TYPE: 'Choose a column of a usable type with --input / --target.',
  NULL_VALUE: 'Pass --nulls skip to leave out rows with nulls, or fix the data.',
  IO: 'Check the path and its permissions.',
};

// The library's hint for a stream without its end-of-stream marker names its read option; a CLI
// user passes the flag instead.
const MISSING_END_OF_STREAM_FIX =
  'The writer may have been killed before it closed the stream: copy the file again once it is complete. If your writer closes streams without the marker, pass --allow-missing-end-of-stream.';

// Options that the core validates on first use; a bad value there is bad usage, not bad data.
const OPTION_CODES = new Set(['INVALID_OPTION', 'INVALID_REDUCTION']);

/**
 * The exit code and a one-paragraph message for any error a command can end with: what failed,
 * where (file, batch or row group, row, column) and how to fix it.
 */
export function describeFailure(error: unknown, context: FailureContext): Failure {
  const head = `lossflow ${context.command}:`;
  if (error instanceof UsageError) {
    return {
      exitCode: 2,
      message: `${head} ${error.message} Run 'lossflow ${context.command === 'lossflow' ? '' : `${context.command} `}--help' for usage.`,
    };
  }
  if (error instanceof ArrowReadError) {
    const file = error.file ?? context.currentFile?.();
    const where = location([
      file === undefined ? undefined : `file '${file}'`,
      error.rowGroup === undefined ? undefined : `row group ${error.rowGroup}`,
      error.batch === undefined ? undefined : `batch ${error.batch}`,
      error.row === undefined ? undefined : `row ${error.row}`,
      error.column === undefined ? undefined : `column '${error.column}'`,
    ]);
    const fixes = [
      missesEndOfStream(error) ? MISSING_END_OF_STREAM_FIX : (error.hint ?? ARROW_FIXES[error.code]),
      error.code === 'MISSING_COLUMN'
        ? 'Choose the columns with --input COL and --target COL (or the flag of the missing role).'
        : undefined,
    ].filter((f) => f !== undefined);
    return {
      exitCode: 1,
      message: `${head} cannot read the data${where}: ${error.detail} [${error.code}]. ${[...fixes, 'No result was written.'].join(' ')}`,
    };
  }
  if (error instanceof LossError) {
    const inFile =
      error.batch !== undefined && context.locate !== undefined ? context.locate(error.batch) : undefined;
    const where = location([
      inFile === undefined ? undefined : `file '${inFile.file}'`,
      inFile !== undefined
        ? `batch ${inFile.batch}`
        : error.batch === undefined
          ? undefined
          : `batch ${error.batch}`,
      error.row === undefined ? undefined : `row ${error.row}`,
      error.column !== undefined
        ? `column '${error.column}'`
        : error.argument === undefined
          ? undefined
          : `option '${error.argument}'`,
    ]);
    const loss =
      error.loss === undefined ? 'the loss' : (LOSSES.find((e) => e.core === error.loss)?.name ?? error.loss);
    const usage = OPTION_CODES.has(error.code) && error.column === undefined;
    return {
      exitCode: usage ? 2 : 1,
      message: `${head} cannot compute ${loss}${where}: ${error.detail} [${error.code}].${error.hint === undefined ? '' : ` ${error.hint}`} No result was written.`,
    };
  }
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && /^E[A-Z]+$/.test(code)) {
    const path = (error as { path?: string }).path;
    const reason: Record<string, string> = {
      ENOENT: 'no such file or directory',
      EACCES: 'permission denied',
      EISDIR: 'it is a directory, not a file',
      ENOSPC: 'no space left on the device',
    };
    return {
      exitCode: 1,
      message: `${head} cannot use '${path ?? '?'}': ${reason[code] ?? (error as Error).message}. Check the path and its permissions.`,
    };
  }
  const message = error instanceof Error ? error.message : String(error);
  return {
    exitCode: 1,
    message: `${head} ${message}. This is unexpected: set LOSSFLOW_DEBUG=1 for the stack trace and report it.`,
  };
}

/** A `TRUNCATED` error that `allowMissingEndOfStream` (`--allow-missing-end-of-stream`) would accept. */
function missesEndOfStream(error: ArrowReadError): boolean {
  return error.code === 'TRUNCATED' && error.hint?.includes('allowMissingEndOfStream') === true;
}

function location(parts: readonly (string | undefined)[]): string {
  const present = parts.filter((p) => p !== undefined);
  return present.length === 0 ? '' : ` (${present.join(', ')})`;
}
