import { ArrowReadError } from '../errors/ArrowReadError.js';

const HINTS: Record<string, string> = {
  ENOENT: 'Check the path: no such file.',
  EACCES: 'Check the file permissions.',
  EPERM: 'Check the file permissions.',
  EISDIR: 'Pass a file, not a directory.',
  EMFILE: 'Too many open files: close readers you no longer need (break out of the loop or call close()).',
  ENOSPC: 'The disk is full: free some space or write elsewhere.',
  EDQUOT: 'The disk quota is exhausted: free some space or write elsewhere.',
  EPIPE: 'The reading end of the pipe was closed.',
  EBADF: 'The file or stream is not open for this.',
};

/**
 * A file-system or stream failure as an {@link ArrowReadError} naming the file, with a fix for the
 * common errno codes: `IO` while reading, `WRITE` (worded "cannot write") while writing, so a full
 * disk under an output is never reported as a bad input. An `ArrowReadError` passes through
 * unchanged.
 *
 * @example
 * try { await open(path); } catch (e) { throw ioError(e, path); }
 * try { await handle.write(chunk); } catch (e) { throw ioError(e, path, 'write'); }
 */
export function ioError(e: unknown, file: string, doing: 'read' | 'write' = 'read'): ArrowReadError {
  if (e instanceof ArrowReadError) return e;
  const code = (e as { code?: unknown } | null)?.code;
  const hint = typeof code === 'string' ? HINTS[code] : undefined;
  const message = (e instanceof Error ? e.message : String(e)).replace(/\.$/, '');
  return new ArrowReadError(
    doing === 'write' ? 'WRITE' : 'IO',
    doing === 'write' ? `cannot write: ${message}` : message,
    {
      file,
      cause: e,
      ...(hint === undefined ? {} : { hint }),
    },
  );
}
