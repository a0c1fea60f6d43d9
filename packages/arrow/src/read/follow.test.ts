import { appendFile, rename, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ArrowReadError } from '../errors/ArrowReadError.js';
import { smallLog, tempDir } from '../testing/files.js';
import { readFile as readArrow } from './readFile.js';

// A training job appends to its IPC stream while it is read: the reader must wait at the file's
// end (also inside a half-written message) instead of ending or reporting damage.

let dir: string;
let cleanup: () => Promise<void>;
let whole: Uint8Array;
const LOG = { rows: 200, classes: 3, epochs: 2, batchRows: 16 };
beforeAll(async () => {
  ({ dir, cleanup } = await tempDir());
  whole = await smallLog(dir, 'arrow-stream', LOG);
  await writeFile(join(dir, 'log.arrows'), whole);
});
afterAll(() => cleanup());

/** Values of the `target` column of every batch, in order. */
async function targets(
  reader: AsyncIterable<{ getChild(n: string): { toArray(): ArrayLike<unknown> } | null }>,
) {
  const out: unknown[] = [];
  for await (const batch of reader) out.push(...Array.from(batch.getChild('target')!.toArray()));
  return out;
}

/** Aborts `stop` after `ms` (a reader that would wait forever then ends), resolving to 'still waiting'. */
function stopAfter(stop: AbortController, ms: number): Promise<string> {
  return new Promise((resolve) =>
    setTimeout(() => {
      stop.abort();
      resolve('still waiting');
    }, ms),
  );
}

/** Resolves once `check()` holds (polled: the reader works in the background). */
async function until(check: () => boolean): Promise<void> {
  while (!check()) await new Promise((r) => setTimeout(r, 5));
}

describe('readFile with follow', () => {
  it('reads a stream appended in steps, waiting inside a partly written message, to its end-of-stream marker', async () => {
    const path = join(dir, 'growing.arrows');
    await writeFile(path, new Uint8Array(0));
    const reader = readArrow(path, { follow: { pollMs: 5 } });
    const all = targets(reader);
    // Pieces cut at odd offsets: most cuts fall inside a message (header or body).
    const cuts = [
      0,
      3,
      7,
      100,
      401,
      1000,
      1337,
      Math.floor(whole.length / 2),
      whole.length - 5,
      whole.length,
    ];
    for (let i = 1; i < cuts.length; i++) {
      await appendFile(path, whole.subarray(cuts[i - 1]!, cuts[i]!));
      // A pause, so the reader takes the bytes written so far and waits at the end (polling every
      // 5 ms), mostly inside a message.
      if (i < cuts.length - 1) await new Promise((r) => setTimeout(r, 40));
    }
    const expected = await targets(readArrow(path));
    expect(await all).toEqual(expected);
    expect(expected.length).toBeGreaterThan(0);
  });

  it('hands out the last batch written before the next message lands; stop then ends with TRUNCATED, never a complete read', async () => {
    const path = join(dir, 'stopped.arrows');
    // Everything but the end-of-stream marker (8 bytes) and a few bytes of a next message.
    await writeFile(path, whole.subarray(0, whole.length - 8));
    const stop = new AbortController();
    const reader = readArrow(path, { follow: { pollMs: 5, stop: stop.signal } });
    const seen: number[] = [];
    const done = (async () => {
      for await (const batch of reader) seen.push(batch.numRows);
    })();
    // Every batch written is handed out while the reader waits for more: the last one too, though
    // no message follows it yet.
    await until(() => reader.progress.rows >= LOG.rows * LOG.epochs);
    stop.abort();
    await expect(done).rejects.toMatchObject({ code: 'TRUNCATED' });
    expect(seen.reduce((a, b) => a + b, 0)).toBe((await targets(readArrow(join(dir, 'log.arrows')))).length);
  });

  it('with allowMissingEndOfStream, a stop at a message boundary reads as the batches so far', async () => {
    const path = join(dir, 'boundary.arrows');
    await writeFile(path, whole.subarray(0, whole.length - 8));
    const stop = new AbortController();
    const reader = readArrow(path, {
      follow: { pollMs: 5, stop: stop.signal },
      allowMissingEndOfStream: true,
    });
    const all = targets(reader);
    await until(() => reader.progress.bytesRead >= whole.length - 8);
    stop.abort();
    expect(await all).toEqual(await targets(readArrow(join(dir, 'log.arrows'))));
  });

  it('bytes already there after the end-of-stream marker are CORRUPT, as without follow', async () => {
    const path = join(dir, 'twice.arrows');
    const twice = new Uint8Array(whole.length * 2);
    twice.set(whole);
    twice.set(whole, whole.length);
    await writeFile(path, twice);
    const stop = new AbortController();
    const reader = readArrow(path, { follow: { pollMs: 5, stop: stop.signal } });
    await expect(targets(reader)).rejects.toMatchObject({ code: 'CORRUPT', file: path });
    stop.abort();
  });

  it('a file truncated and rewritten while followed fails CHANGED, never a result mixing both', async () => {
    const path = join(dir, 'rewritten.arrows');
    const cut = Math.floor(whole.length / 2);
    await writeFile(path, whole.subarray(0, cut));
    const stop = new AbortController();
    const reader = readArrow(path, { follow: { pollMs: 5, stop: stop.signal } });
    const all = targets(reader);
    all.catch(() => undefined);
    await until(() => reader.progress.bytesRead >= cut);
    // Another log of the same schema, written over the path (`cat other > path`) before the next poll.
    const other = await smallLog(dir, 'arrow-stream', { ...LOG, rows: 150 });
    await writeFile(path, other);
    await expect(all).rejects.toMatchObject({ code: 'CHANGED', file: path });
    stop.abort();
  });

  it('a file truncated while followed fails CHANGED', async () => {
    const path = join(dir, 'shrunk.arrows');
    await writeFile(path, whole.subarray(0, whole.length - 8));
    const stop = new AbortController();
    const reader = readArrow(path, { follow: { pollMs: 5, stop: stop.signal } });
    const all = targets(reader);
    all.catch(() => undefined);
    await until(() => reader.progress.bytesRead >= whole.length - 8);
    await writeFile(path, whole.subarray(0, 100));
    await expect(all).rejects.toMatchObject({ code: 'CHANGED', file: path });
    stop.abort();
  });

  it('a file renamed over (a new inode) while the reader waits at its end fails CHANGED', async () => {
    const path = join(dir, 'renamed.arrows');
    await writeFile(path, whole.subarray(0, whole.length - 8));
    const stop = new AbortController();
    const reader = readArrow(path, { follow: { pollMs: 5, stop: stop.signal } });
    const all = targets(reader);
    all.catch(() => undefined);
    await until(() => reader.progress.bytesRead >= whole.length - 8);
    // The whole log (a superset of the bytes read) published by a rename: no byte read differs.
    await writeFile(join(dir, 'renamed.tmp'), whole);
    await rename(join(dir, 'renamed.tmp'), path);
    await expect(all).rejects.toMatchObject({ code: 'CHANGED', file: path });
    stop.abort();
  });

  it('a file deleted while the reader waits at its end fails CHANGED instead of waiting forever', async () => {
    const path = join(dir, 'deleted.arrows');
    await writeFile(path, whole.subarray(0, whole.length - 8));
    const stop = new AbortController();
    const reader = readArrow(path, { follow: { pollMs: 5, stop: stop.signal } });
    const all = targets(reader);
    all.catch(() => undefined);
    await until(() => reader.progress.bytesRead >= whole.length - 8);
    await unlink(path);
    const error = await Promise.race([
      all.then(
        () => 'ended',
        (e: unknown) => e,
      ),
      stopAfter(stop, 3000),
    ]);
    expect(error).toMatchObject({ code: 'CHANGED', file: path });
    expect((error as Error).message).toContain('deleted');
  });

  it.each([
    ['arrow-file', 'an Arrow IPC file'],
    ['parquet', 'a Parquet file'],
  ] as const)('refuses a %s: UNSUPPORTED, naming the file', async (format, what) => {
    const path = join(dir, `log.${format}`);
    await writeFile(path, await smallLog(dir, format, LOG));
    const reader = readArrow(path, { follow: true });
    const error = await reader.schema().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ArrowReadError);
    expect(error).toMatchObject({ code: 'UNSUPPORTED', file: path });
    expect((error as Error).message).toContain(what);
  });
});
