import { ArrowReadError } from '../errors/ArrowReadError.js';

/** The hint of damaged IPC bytes. */
export const DAMAGED_IPC_HINT = 'The bytes are damaged or not Arrow IPC: export the file again.';
/** The hint of damaged bytes where an IPC file (footer and blocks) was expected. */
export const DAMAGED_IPC_FILE_HINT = 'The bytes are damaged or not an Arrow IPC file: export the file again.';
/** The hint of input that ends inside a message. */
export const CUT_SHORT_HINT =
  'The file was cut short: copy it again, or wait until its writer has closed it.';

/**
 * Damaged Arrow IPC bytes, as the `CORRUPT` error every IPC reader throws.
 *
 * @example
 * throw ipcCorrupt('log.arrows', 'a message declares -3 bytes of metadata');
 */
export function ipcCorrupt(
  file: string,
  detail: string,
  options: { cause?: unknown; hint?: string } = {},
): ArrowReadError {
  return new ArrowReadError('CORRUPT', detail, {
    file,
    hint: options.hint ?? DAMAGED_IPC_HINT,
    ...(options.cause === undefined ? {} : { cause: options.cause }),
  });
}

/**
 * Damaged bytes where an IPC file's footer or blocks were expected, as `CORRUPT`.
 *
 * @example
 * throw ipcFileCorrupt('log.arrow', "record batch 2's body extends past the file's data");
 */
export function ipcFileCorrupt(file: string, detail: string, cause?: unknown): ArrowReadError {
  return ipcCorrupt(file, detail, { hint: DAMAGED_IPC_FILE_HINT, ...(cause === undefined ? {} : { cause }) });
}

/**
 * Input that ends inside a message, as the `TRUNCATED` error every IPC reader throws; `input`
 * says what ends ('stream' for the in-thread reader, 'file' where a regular file is scanned).
 *
 * @example
 * throw ipcTruncated('log.arrows', 'stream', 4096);
 */
export function ipcTruncated(file: string, input: 'stream' | 'file', position: number): ArrowReadError {
  return new ArrowReadError('TRUNCATED', `the ${input} ends inside a message, after ${position} bytes`, {
    file,
    hint: CUT_SHORT_HINT,
  });
}

/** `n` record batches, in words ('1 record batch', '2 record batches'). */
export function recordBatchCount(n: number): string {
  return n === 1 ? '1 record batch' : `${n} record batches`;
}
