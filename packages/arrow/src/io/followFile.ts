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
 *
 * @throws {ArrowReadError} `IO` when the file cannot be opened or read
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
    let position = 0;
    while (stop?.aborted !== true) {
      // A fresh buffer per read: the stream reader keeps views of the chunks it was given.
      const buffer = new Uint8Array(CHUNK);
      let bytesRead: number;
      try {
        ({ bytesRead } = await handle.read(buffer, 0, CHUNK, position));
      } catch (e) {
        throw ioError(e, path);
      }
      if (bytesRead > 0) {
        position += bytesRead;
        yield buffer.subarray(0, bytesRead);
      } else await pause(pollMs, stop);
    }
  } finally {
    await handle.close().catch(() => undefined);
  }
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
