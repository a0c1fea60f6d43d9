import { ArrowReadError } from '@lossflow/arrow';
import { LossError, METRICS, type MetricDescriptor } from '@lossflow/core';
import { failureSentence } from '@lossflow/rx';
import { LOSSES } from '../losses/lossRegistry.js';
import { flagOfOption, flagWording } from './flagWording.js';
import { OutputError } from './OutputError.js';
import { UsageError } from './UsageError.js';

/** How a command ends after an error: the exit code and the paragraph for stderr. */
export interface Failure {
  /**
   * 2 for bad usage, 1 for a failure while reading, computing or writing, 141 (128 + SIGPIPE, as
   * a Unix tool killed by a closed pipe ends) when the reader of standard output went away.
   */
  readonly exitCode: 1 | 2 | 141;
  /** The paragraph for stderr; empty for a closed pipe, which is the reader's choice, not an error. */
  readonly message: string;
}

/** What the command knows that the error may not: which file a stream-wide batch index falls in. */
export interface FailureContext {
  readonly command: string;
  readonly locate?: (batch: number) => { file: string; batch: number };
  /** The file being read when the error happened, for errors that do not name one (a missing column). */
  readonly currentFile?: () => string;
  /** The flag that named a column (`--by`, `--keys`, `--input`), for a missing column's fix. */
  readonly flagOfColumn?: (column: string) => string | undefined;
}

/** System error codes in words, for messages about files and streams. */
const SYSTEM_REASONS: Readonly<Record<string, string>> = {
  ENOENT: 'no such file or directory',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EISDIR: 'it is a directory, not a file',
  ENOTDIR: 'a part of the path is not a directory',
  ENOSPC: 'no space left on device',
  EDQUOT: 'disk quota exceeded',
  EFBIG: 'the file is too large',
  EROFS: 'read-only file system',
  EIO: 'input/output error',
  EPIPE: 'the reading end of the pipe was closed',
  EBADF: 'the stream is closed',
};

const ARROW_FIXES: Partial<Record<string, string>> = {
  TRUNCATED: 'The file ends early, probably cut off while being written or copied: write or copy it again.',
  BAD_MAGIC: 'lossflow reads Arrow IPC streams, Arrow IPC files and Parquet; check the file is one of them.',
  CORRUPT: 'The bytes are damaged: write or copy the file again.',
  BAD_COLUMN_TYPE: 'Choose a column of a usable type with --input / --target.',
  NULL_VALUE: 'Pass --nulls skip to leave out rows with nulls, or fix the data.',
  IO: 'Check the path and its permissions.',
};

// The library's BAD_COLUMN_TYPE hint is about casting loss inputs and targets; a --by key is neither.
const BY_TYPE_FIX =
  '--by takes an integer or floating-point column (one key per row), not strings or dictionaries: write the key as integer codes (e.g. an epoch or user id), or pick another column.';

// Options that the core validates on first use; a bad value there is bad usage, not bad data.
const OPTION_CODES = new Set(['INVALID_OPTION', 'INVALID_REDUCTION']);

/**
 * The exit code and a one-paragraph message for any error a command can end with: what failed,
 * where (file, batch or row group, row, column) and how to fix it.
 */
export function describeFailure(error: unknown, context: FailureContext): Failure {
  const head = context.command === 'lossflow' ? 'lossflow:' : `lossflow ${context.command}:`;
  if (error instanceof UsageError) {
    return {
      exitCode: 2,
      message: `${head} ${error.message} Run 'lossflow ${context.command === 'lossflow' ? '' : `${context.command} `}--help' for usage.`,
    };
  }
  if (error instanceof OutputError) return outputFailure(error, head);
  if (error instanceof ArrowReadError) {
    const file = error.file ?? context.currentFile?.();
    const flag = error.column === undefined ? undefined : context.flagOfColumn?.(error.column);
    // A missing column's fix is said once, with the flag that named it: the library's generic
    // "Pick one of the available columns" is replaced, a case-only near miss is kept.
    const generic = error.code === 'MISSING_COLUMN' && error.hint?.includes('--') !== true;
    const nearMiss = generic && error.hint?.startsWith('Did you mean') === true;
    const fixes = [
      error.code === 'BAD_COLUMN_TYPE' && flag === '--by'
        ? BY_TYPE_FIX
        : generic && !nearMiss
          ? undefined
          : error.hint === undefined
            ? ARROW_FIXES[error.code]
            : flagWording(error.hint),
      !generic || nearMiss
        ? undefined
        : flag !== undefined
          ? `Pass ${flag} one of the available columns (lossflow inspect lists them).`
          : 'Choose the columns with --input COL and --target COL (or the flag of the missing role); lossflow inspect lists them.',
    ].filter((f) => f !== undefined);
    // A failed write is `WRITE`; an `IO` error from a write system call is one too.
    const verb =
      error.code === 'WRITE' || (error.code === 'IO' && syscallOf(error) === 'write') ? 'write' : 'read';
    return {
      exitCode: 1,
      message: `${head} ${failureSentence(
        `cannot ${verb} the data`,
        { file, rowGroup: error.rowGroup, batch: error.batch, row: error.row, column: error.column },
        error.detail,
        error.code,
        [...fixes, 'No result was written.'],
      )}`,
    };
  }
  if (error instanceof LossError) {
    const inFile =
      error.batch !== undefined && context.locate !== undefined ? context.locate(error.batch) : undefined;
    const earlier =
      error.firstBatch === undefined
        ? undefined
        : {
            code: error.code,
            ...(context.locate?.(error.firstBatch) ?? { file: error.firstFile, batch: error.firstBatch }),
          };
    // A loss or metric as the user selected it (`--loss mse`, `--metric confusion-matrix`).
    const loss = error.loss === undefined ? 'the loss' : cliNameOf(error.loss);
    const usage = OPTION_CODES.has(error.code) && error.column === undefined;
    return {
      exitCode: usage ? 2 : 1,
      message: `${head} ${failureSentence(
        `cannot compute ${loss}`,
        {
          file: inFile?.file,
          batch: inFile?.batch ?? error.batch,
          row: error.row,
          column: error.column,
          option: error.argument === undefined ? undefined : (flagOfOption(error.argument) ?? error.argument),
          earlier,
        },
        // A bad option's detail names it (`labelSmoothing must be …`): the user gave a flag.
        usage ? flagWording(error.detail) : error.detail,
        error.code,
        [...(error.hint === undefined ? [] : [flagWording(error.hint)]), 'No result was written.'],
      )}`,
    };
  }
  // A distributed run's failure (@lossflow/nats), named by type so this module loads no NATS code.
  if (error instanceof Error && error.name === 'DistributedRunError') {
    const { hint, code, exitCode } = error as Error & { hint?: string; code?: string; exitCode?: number };
    // A worker's report of an error about the run itself: said as the worker's command line said
    // it (as a local eval says it), with its exit code.
    if (code === 'RUN_ERROR') {
      return { exitCode: exitCode === 2 ? 2 : 1, message: `${head} ${error.message}` };
    }
    return {
      exitCode: 1,
      message: `${head} ${error.message}.${hint === undefined ? '' : ` ${hint}`} No result was written.`,
    };
  }
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && /^E[A-Z0-9]+$/.test(code)) {
    const path = (error as { path?: string }).path;
    const syscall = syscallOf(error);
    const verb = syscall === 'write' ? 'write' : syscall === 'read' ? 'read' : 'use';
    const what = path === undefined ? (verb === 'use' ? 'a file' : 'a file or stream') : `'${path}'`;
    return {
      exitCode: 1,
      message: `${head} cannot ${verb} ${what}: ${SYSTEM_REASONS[code] ?? (error as Error).message} (${code}). ${code === 'ENOSPC' || code === 'EDQUOT' ? 'Free some space or write elsewhere.' : 'Check the path and its permissions.'}`,
    };
  }
  const message = error instanceof Error ? error.message : String(error);
  return {
    exitCode: 1,
    message: `${head} ${message}. This is unexpected: set LOSSFLOW_DEBUG=1 for the stack trace and report it.`,
  };
}

function outputFailure(error: OutputError, head: string): Failure {
  if (error.code === 'EPIPE') return { exitCode: 141, message: '' };
  const reason =
    error.code === undefined
      ? String((error.cause as Error | undefined)?.message ?? error.cause)
      : `${SYSTEM_REASONS[error.code] ?? (error.cause as Error).message} (${error.code})`;
  const fix =
    error.code === 'ENOSPC' || error.code === 'EDQUOT'
      ? ' Free some space or write elsewhere.'
      : error.path === undefined
        ? ''
        : ' Check the path and its permissions.';
  return { exitCode: 1, message: `${head} ${error.message}: ${reason}.${fix} ${error.outcome}` };
}

/** The system call a Node error (or the error it wraps) came from: `write`, `open`, `read`. */
function syscallOf(error: unknown): string | undefined {
  for (let e = error, depth = 0; e !== null && typeof e === 'object' && depth < 5; depth++) {
    const syscall = (e as { syscall?: unknown }).syscall;
    if (typeof syscall === 'string') return syscall;
    e = (e as { cause?: unknown }).cause;
  }
  return undefined;
}

/** A loss's or metric's library name (`confusionMatrix`) as the CLI names it (`confusion-matrix`). */
function cliNameOf(name: string): string {
  const loss = LOSSES.find((e) => e.core === name);
  if (loss !== undefined) return loss.name;
  const metric = (Object.values(METRICS) as MetricDescriptor[]).find((m) => m.name === name);
  return metric?.cliName ?? name;
}
