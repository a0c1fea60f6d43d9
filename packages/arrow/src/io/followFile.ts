import { ArrowReadError } from '../errors/ArrowReadError.js';
import type { FollowOptions } from './FollowOptions.js';
import { ioError } from './ioError.js';

/** Bytes asked for per read: large enough that a big record batch takes few reads. */
const CHUNK = 4 * 1024 * 1024;

/**
 * The bytes of a file that is still being written, as they land: at the file's current end it
 * waits (polling every `pollMs`) instead of ending, so a reader of the stream never sees a partly
 * written message as the end of the input. Ends only when `stop` aborts or the consumer returns
 * (a stream reader does at the end-of-stream marker).
 * At the end, when no new bytes have come, it yields an empty chunk before it waits (a reader
 * can tell the bytes there now from bytes still to come).
 *
 * @throws {ArrowReadError} `IO` when the file cannot be opened or read; `CHANGED` when it shrinks,
 *   its bytes already read change, the path comes to name another file (truncated or replaced) or
 *   no file (deleted) while it waits
 * @example
 * for await (const chunk of followFile('train.arrows', { stop: AbortSignal.timeout(60_000) })) use(chunk);
 */
export async function* followFile(path: string, options: FollowOptions = {}): AsyncGenerator<Uint8Array> {
  const { open } = await import('node:fs/promises');
  const pollMs = options.pollMs ?? 100;
  const stop = options.stop;
  let handle: Awaited<ReturnType<typeof open>>;
  try {
    handle = await open(path, 'r');
  } catch (e) {
    throw ioError(e, path);
  }
  try {
    const { stat } = await import('node:fs/promises');
    const opened = await handle.stat({ bigint: true }).catch((e: unknown) => {
      throw ioError(e, path);
    });
    let position = 0;
    // The last bytes handed out: every read starts that far back and must find them again, so a
    // file truncated and rewritten (`cat other > log`) is not read on from the middle of the new bytes.
    let tail = new Uint8Array(0);
    while (stop?.aborted !== true) {
      const overlap = tail.length;
      // A fresh buffer per read: the stream reader keeps views of the chunks it was given.
      const buffer = new Uint8Array(overlap + CHUNK);
      let bytesRead: number;
      try {
        ({ bytesRead } = await handle.read(buffer, 0, overlap + CHUNK, position - overlap));
      } catch (e) {
        throw ioError(e, path);
      }
      if (bytesRead < overlap || !startsWith(buffer, tail))
        throw changedWhileFollowed(path, 'its bytes changed');
      if (bytesRead > overlap) {
        position += bytesRead - overlap;
        tail = buffer.slice(Math.max(0, bytesRead - TAIL), bytesRead);
        yield buffer.subarray(overlap, bytesRead);
        continue;
      }
      // At the end for now: one stat of the path per poll. The path naming another file (renamed
      // over), no file (deleted) or a size below what was read means the bytes still to come are
      // not this file's continuation; while it names the open inode, its size is the inode's.
      const named = await stat(path, { bigint: true }).catch((e: unknown) => e as NodeJS.ErrnoException);
      if (named instanceof Error) {
        if (named.code === 'ENOENT' || named.code === 'ENOTDIR') throw deletedWhileFollowed(path);
        throw ioError(named, path);
      }
      if (named.dev !== opened.dev || named.ino !== opened.ino)
        throw changedWhileFollowed(path, 'the path now names another file');
      if (named.size < BigInt(position))
        throw changedWhileFollowed(path, `its size fell to ${named.size} bytes`);
      yield new Uint8Array(0);
      await pause(pollMs, stop);
    }
  } finally {
    await handle.close().catch(() => undefined);
  }
}

/** How many of the last bytes handed out each read checks again (a few pages: cheap next to a chunk). */
const TAIL = 4096;

/** Whether `buffer` begins with the bytes of `head`. */
function startsWith(buffer: Uint8Array, head: Uint8Array): boolean {
  for (let i = 0; i < head.length; i++) if (buffer[i] !== head[i]) return false;
  return true;
}

/** The `CHANGED` error for a followed file that did not just grow. */
function changedWhileFollowed(path: string, what: string): ArrowReadError {
  return new ArrowReadError(
    'CHANGED',
    `the file was truncated or replaced while it was followed (${what}): the result would mix two files`,
    {
      file: path,
      hint: 'Follow a log only while its writer appends to it; to start over, write to a new file and follow that one.',
    },
  );
}

/**
 * The `CHANGED` error for a followed file deleted before its end-of-stream marker: no writer can
 * append to it any more, so waiting would never end (and its rows are not a complete log).
 */
function deletedWhileFollowed(path: string): ArrowReadError {
  return new ArrowReadError(
    'CHANGED',
    'the file was deleted while it was followed, before its end-of-stream marker: no more rows can come',
    {
      file: path,
      hint: 'Keep the log in place until its writer has closed it; if it was moved, follow it at its new path.',
    },
  );
}

/** Waits `ms`, or less when `stop` aborts meanwhile. */
function pause(ms: number, stop: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      clearTimeout(timer);
      stop?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    stop?.addEventListener('abort', done, { once: true });
  });
}

/** The error for following a file that is not an Arrow IPC stream. */
export function notAStream(path: string, format: string): ArrowReadError {
  return new ArrowReadError(
    'UNSUPPORTED',
    `only an Arrow IPC stream can be followed while it grows; this is ${format}`,
    {
      file: path,
      hint: 'Write the log as an Arrow IPC stream (pyarrow.ipc.new_stream, .arrows) to follow it, or read the finished file without follow.',
    },
  );
}
