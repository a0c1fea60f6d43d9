import { ArrowReadError } from './ArrowReadError.js';

const HINTS: Record<string, string> = {
  ENOENT: 'Check the path: no such file.',
  EACCES: 'Check the file permissions.',
  EPERM: 'Check the file permissions.',
  EISDIR: 'Pass a file, not a directory.',
  EMFILE: 'Too many open files: close readers you no longer need (break out of the loop or call close()).',
  ENOSPC: 'The disk is full.',
};

/**
 * A file-system or stream failure as an `IO` {@link ArrowReadError} naming the file, with a fix for
 * the common errno codes. An `ArrowReadError` passes through unchanged.
 *
 * @example
 * try { await open(path); } catch (e) { throw ioError(e, path); }
 */
export function ioError(e: unknown, file: string): ArrowReadError {
  if (e instanceof ArrowReadError) return e;
  const code = (e as { code?: unknown } | null)?.code;
  const hint = typeof code === 'string' ? HINTS[code] : undefined;
  const message = e instanceof Error ? e.message : String(e);
  return new ArrowReadError('IO', message.replace(/\.$/, ''), {
    file,
    cause: e,
    ...(hint === undefined ? {} : { hint }),
  });
}
