import { execFileSync } from 'node:child_process';
import { closeSync, constants, openSync, writeSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readAll, smallLog, tempDir } from '../testing/files.js';
import { openFileReader } from './openFileReader.js';

/**
 * Opens `fifo` for writing as soon as a reader has it open (a non-blocking open fails with ENXIO
 * until then), and writes `bytes` and closes it in the same turn of the event loop: the reader's
 * code after its open cannot run in between, so a reader that closes and reopens the pipe always
 * finds the writer gone and its bytes dropped.
 */
function writeOnReaderOpen(fifo: string, bytes: Uint8Array): Promise<void> {
  return new Promise((resolve, reject) => {
    const attempt = () => {
      let fd: number;
      try {
        fd = openSync(fifo, constants.O_WRONLY | constants.O_NONBLOCK);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'ENXIO') setTimeout(attempt, 1);
        else reject(e);
        return;
      }
      try {
        // The pipe buffer (64 KiB on Linux) holds the whole log, so no write waits for the reader.
        for (let at = 0; at < bytes.length; ) at += writeSync(fd, bytes, at);
      } finally {
        closeSync(fd);
      }
      resolve();
    };
    attempt();
  });
}

/** Unblocks a reader stuck opening `fifo` (on a failure), so the test's thread pool is not left waiting. */
function releaseReader(fifo: string): void {
  try {
    closeSync(openSync(fifo, constants.O_WRONLY | constants.O_NONBLOCK));
  } catch {
    // No reader is waiting.
  }
}

describe('openFileReader on a named pipe', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  let log: Uint8Array;

  beforeAll(async () => {
    ({ dir, cleanup } = await tempDir());
    log = await smallLog(dir, 'arrow-stream', { rows: 40, classes: 3, epochs: 1, batchRows: 16, seed: 3 });
    expect(log.length).toBeLessThan(60_000);
  });
  afterAll(() => cleanup());

  it('reads what a writer wrote and closed right after the open, opening the pipe once', async () => {
    const fifo = join(dir, 'log.fifo');
    execFileSync('mkfifo', [fifo]);
    try {
      const [read] = await Promise.all([readAll(fifo), writeOnReaderOpen(fifo, log)]);
      const file = join(dir, 'log.arrows');
      await writeFile(file, log);
      expect(read).toEqual(await readAll(file));
      expect(read.rows).toBe(40);
    } finally {
      releaseReader(fifo);
    }
  }, 20_000);

  it('streams a pipe: no size, no random access', async () => {
    const fifo = join(dir, 'bytes.fifo');
    execFileSync('mkfifo', [fifo]);
    try {
      const [reader] = await Promise.all([
        openFileReader(fifo),
        writeOnReaderOpen(fifo, new Uint8Array([1, 2, 3, 4, 5])),
      ]);
      expect(reader.totalBytes).toBeUndefined();
      expect(Array.from(await reader.read(8))).toEqual([1, 2, 3, 4, 5]);
      expect(reader.ended).toBe(true);
      await reader.close();
    } finally {
      releaseReader(fifo);
    }
  }, 20_000);
});
