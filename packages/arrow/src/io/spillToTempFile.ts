import { randomUUID } from 'node:crypto';
import { rmSync } from 'node:fs';
import { type FileHandle, open, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ArrowReadError } from '../errors/ArrowReadError.js';
import type { ByteReader } from './ByteReader.js';
import { FileByteReader } from './FileByteReader.js';
import { removeStaleSpills, spillFileName } from './staleSpills.js';

/** Bytes copied at a time: the spill's memory, whatever the input's size. */
const SPILL_CHUNK = 1 << 20;

/**
 * Copies the rest of a stream (a pipe, stdin, a Node or web stream) to a new temporary file and
 * reads that instead. An Arrow IPC file and Parquet keep their index at the end, so they need
 * random access: spilled, they are read with the memory of a regular file (a batch or a row group
 * at a time) instead of being held whole in memory.
 *
 * The file is created in `os.tmpdir()` (the `TMPDIR` environment variable) with a unique name
 * (`lossflow-spill-PID-UUID.HOST`) and mode 0600, copied in 1 MiB chunks, and removed when the returned reader closes, or at once when
 * copying fails or is aborted; a process that exits first (`process.exit()` in a signal handler)
 * removes it synchronously on `'exit'`; one left by a process of this machine that was killed (SIGKILL)
 * is removed by the next spill into that folder. A failure to write it (a full disk, no such folder) is an `IO`
 * error naming the folder, with how to fix it.
 *
 * @example
 * const bytes = await spillToTempFile(new ChunkByteReader(stdin, '<stream>'));
 * const source = await readParquet(bytes);
 */
export async function spillToTempFile(bytes: ByteReader, signal?: AbortSignal): Promise<FileByteReader> {
  const folder = tmpdir();
  // Spills of lossflows of this machine killed with SIGKILL (no clean-up ran) would stay forever.
  removeStaleSpills(folder);
  const path = join(folder, spillFileName(randomUUID()));
  let handle: FileHandle;
  try {
    handle = await open(path, 'wx+', 0o600);
  } catch (e) {
    throw spillError(e, folder, bytes.name);
  }
  const forget = removeWhenProcessEnds(path);
  let removed: Promise<void> | undefined;
  const remove = (h: FileHandle): Promise<void> =>
    (removed ??= h
      .close()
      .catch(() => undefined)
      .then(() => rm(path, { force: true }))
      .catch(() => undefined)
      .finally(forget));
  try {
    let size = 0;
    for (;;) {
      if (signal?.aborted) throw new ArrowReadError('ABORTED', 'reading was aborted', { file: bytes.name });
      const chunk = await bytes.read(SPILL_CHUNK);
      let done = 0;
      while (done < chunk.length) {
        let written: number;
        try {
          ({ bytesWritten: written } = await handle.write(chunk, done, chunk.length - done, size + done));
        } catch (e) {
          throw spillError(e, folder, bytes.name);
        }
        done += written;
      }
      size += chunk.length;
      if (chunk.length < SPILL_CHUNK) break;
    }
    await bytes.close();
    return FileByteReader.over(bytes.name, handle, size, signal, remove);
  } catch (e) {
    await remove(handle);
    throw e;
  }
}

const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

/**
 * Removes `path` synchronously if the process ends before the reader closes: on `'exit'` (a
 * process that calls `process.exit()`, as a CLI's signal handler does, runs no pending promise),
 * and on SIGINT/SIGTERM/SIGHUP, after which a signal nobody else listens to is raised again so
 * the process still ends as it would have. One set of listeners per file, removed with it (the
 * returned function), so many reads do not pile listeners up.
 */
function removeWhenProcessEnds(path: string): () => void {
  const remove = (): void => {
    try {
      rmSync(path, { force: true });
    } catch {
      // Ending anyway: nothing else can be done about it.
    }
  };
  const onSignal = (sig: NodeJS.Signals): void => {
    remove();
    forget();
    if (process.listenerCount(sig) === 0) process.kill(process.pid, sig);
  };
  const forget = (): void => {
    process.off('exit', remove);
    for (const sig of SIGNALS) process.off(sig, onSignal);
  };
  process.on('exit', remove);
  for (const sig of SIGNALS) process.on(sig, onSignal);
  return forget;
}

function spillError(e: unknown, folder: string, file: string): ArrowReadError {
  const code = (e as { code?: unknown } | null)?.code;
  const message = (e instanceof Error ? e.message : String(e)).replace(/\.$/, '');
  return new ArrowReadError(
    'IO',
    `cannot copy the input to a temporary file in '${folder}' (an Arrow IPC file or Parquet needs random access, which a pipe or stream lacks): ${message}`,
    {
      file,
      cause: e,
      hint: `${code === 'ENOSPC' || code === 'EDQUOT' ? `Free space in '${folder}', or set` : 'Set'} TMPDIR to a writable folder with room for the whole input, or pass the input as a regular file instead of a pipe.`,
    },
  );
}
