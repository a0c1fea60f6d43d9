import { closeSync, openSync, renameSync, utimesSync, writeFileSync, writeSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ArrowReadError } from './errors/ArrowReadError.js';
import type { FileFormat } from './format/detectFormat.js';
import { mapBatchesInWorkers } from './parallel/mapBatchesInWorkers.js';
import { FORMATS, readAll, smallLog, tempDir } from './testing/files.js';

/**
 * Each case must settle (batches or a typed error) within this time: a bound that catches a hang,
 * with room for a Parquet worker's start-up on a loaded 2-core machine (a case takes ~10 ms).
 */
const CASE_MS = 15_000;

let dir: string;
let cleanup: () => Promise<void>;
const files = new Map<FileFormat, Uint8Array>();

beforeAll(async () => {
  ({ dir, cleanup } = await tempDir());
  for (const format of FORMATS) {
    files.set(
      format,
      await smallLog(dir, format, { rows: 40, classes: 3, epochs: 2, batchRows: 16, ignoreShare: 0.2 }),
    );
  }
});
afterAll(() => cleanup());

type Outcome = 'batches' | ArrowReadError['code'];

/** Reads `bytes` (from memory, or from a file when `viaFile`) and reports how it ended; anything else fails the case. */
async function outcome(bytes: Uint8Array, viaFile: boolean, name: string): Promise<Outcome> {
  let source: string | Uint8Array = bytes;
  if (viaFile) {
    source = join(dir, name);
    await writeFile(source, bytes);
  }
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`case did not settle within ${CASE_MS} ms`)), CASE_MS);
  });
  try {
    await Promise.race([readAll(source), timeout]);
    return 'batches';
  } catch (e) {
    if (e instanceof ArrowReadError) return e.code;
    throw e;
  } finally {
    clearTimeout(timer);
  }
}

describe('fuzz: damaged files end in batches or a typed error, in bounded time', () => {
  for (const format of FORMATS) {
    // Parquet cases each start a decoder thread, so fewer of them.
    const runs = format === 'parquet' ? 40 : 150;

    it(`${format}: truncations`, async () => {
      const good = files.get(format)!;
      const seen = new Set<Outcome>();
      await fc.assert(
        fc.asyncProperty(fc.integer({ min: 0, max: good.length - 1 }), fc.boolean(), async (cut, viaFile) => {
          const result = await outcome(good.slice(0, cut), viaFile, `cut-${format}`);
          seen.add(result);
          // A cut file never reads as complete: it loses its footer (file, Parquet) or its
          // end-of-stream marker (stream); a stream cut anywhere, even between two messages, is TRUNCATED.
          expect(result).not.toBe('batches');
          if (format === 'arrow-stream') expect(result).toBe('TRUNCATED');
        }),
        { numRuns: runs, seed: 4242 },
      );
      expect([...seen].some((o) => o === 'TRUNCATED')).toBe(true);
    }, 120_000);

    it(`${format}: byte flips`, async () => {
      const good = files.get(format)!;
      await fc.assert(
        fc.asyncProperty(
          fc.array(fc.tuple(fc.nat(good.length - 1), fc.integer({ min: 0, max: 255 })), {
            minLength: 1,
            maxLength: 4,
          }),
          fc.boolean(),
          async (flips, viaFile) => {
            const bad = good.slice();
            for (const [at, value] of flips) bad[at] = value;
            await outcome(bad, viaFile, `flip-${format}`);
          },
        ),
        { numRuns: runs, seed: 1717 },
      );
      // Only a hang limit: damaged Parquet often falls back to the general decoder (~1 s a run on a
      // loaded 2-core machine), which is slow, never endless.
    }, 300_000);
  }

  it('the undamaged files read completely in every format', async () => {
    for (const format of FORMATS) {
      expect(await readAll(files.get(format)!)).toMatchObject({ rows: 80 });
    }
  });
});

/** Sums each batch's logits in a worker (the pool's side of a replaced-file case). */
const SUM_TASK = `
export function run(batch) {
  const { tensors } = batch.tensors({ input: 'logits', target: 'target' }, { nulls: 'error' });
  let s = 0;
  for (const v of tensors.input.data) s += v;
  return s;
}
`;

describe("fuzz: a file renamed over or rewritten while it is read gives one file's value, never a blend", () => {
  /** Two logs of other values and batch sizes, per format, and each one's sum of logits. */
  const pairs = new Map<FileFormat, { bytes: Uint8Array[]; sums: number[] }>();
  let task: string;

  beforeAll(async () => {
    task = join(dir, 'sumTask.mjs');
    writeFileSync(task, SUM_TASK);
    for (const format of FORMATS) {
      const bytes: Uint8Array[] = [];
      const sums: number[] = [];
      // Another layout too: read at the first file's offsets, the second's bytes are a blend.
      for (const [seed, batchRows] of [
        [11, 32],
        [12, 20],
      ] as const) {
        const log = await smallLog(dir, format, { rows: 300, classes: 3, epochs: 2, batchRows, seed });
        bytes.push(log);
        sums.push((await readAll(log)).sum);
      }
      expect(sums[0]).not.toBe(sums[1]);
      pairs.set(format, { bytes, sums });
    }
  });

  /** The sum of the logits of `path` as `reader` reads it: in this thread, or in a pool. */
  async function sumWith(reader: string, path: string): Promise<number> {
    if (reader === 'readFile') return (await readAll(path)).sum;
    const plan = () => ({ columns: ['logits', 'target'], task: { module: pathToFileURL(task) } });
    const options =
      reader === 'threads: 1'
        ? { threads: 1 }
        : { threads: 2, inThisThread: reader.endsWith('inThisThread') };
    let sum = 0;
    for await (const { value } of mapBatchesInWorkers<number>(path, plan, options)) sum += value;
    return sum;
  }

  it('in worker threads and in this thread, replaced at random points', async () => {
    let run = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...FORMATS),
        fc.constantFrom('readFile', 'threads: 1', 'threads: 2', 'threads: 2, inThisThread'),
        fc.noBias(fc.nat(150)),
        async (format, reader, ticks) => {
          const { bytes, sums } = pairs.get(format)!;
          const path = join(dir, `published-${run}`);
          const next = join(dir, `next-${run++}`);
          writeFileSync(path, bytes[0]!);
          writeFileSync(next, bytes[1]!);
          // Published after `ticks` turns of the event loop, or `ticks - 20` ms: before the file
          // is opened, while it is scanned, while workers start, or while they read it.
          const publish = (async () => {
            if (ticks < 20)
              for (let i = 0; i < ticks; i++) await new Promise((resolve) => setImmediate(resolve));
            else await new Promise((resolve) => setTimeout(resolve, ticks - 20));
            renameSync(next, path);
          })();
          let sum = 0;
          try {
            sum = await sumWith(reader, path);
            // Summed in another order by the workers: equal to a float32 sum's rounding.
            expect(sums.some((s) => Math.abs(s - sum) <= 1e-6 * Math.abs(s))).toBe(true);
          } catch (e) {
            if (!(e instanceof ArrowReadError)) throw e;
          } finally {
            await publish;
          }
        },
      ),
      { numRuns: 40, seed: 2026 },
    );
  }, 240_000);

  /** Per format, a log of the first one's layout (batch sizes, offsets) but other values: a blend reads as valid. */
  const sameLayout = new Map<FileFormat, Uint8Array>();
  beforeAll(async () => {
    for (const format of FORMATS) {
      sameLayout.set(
        format,
        await smallLog(dir, format, { rows: 300, classes: 3, epochs: 2, batchRows: 32, seed: 13 }),
      );
    }
  });

  it("written over in place at random points: the original file's value or a typed error", async () => {
    let run = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...FORMATS),
        fc.constantFrom('readFile', 'threads: 1', 'threads: 2', 'threads: 2, inThisThread'),
        fc.noBias(fc.nat(150)),
        async (format, reader, ticks) => {
          const { bytes, sums } = pairs.get(format)!;
          const next = sameLayout.get(format)!;
          const path = join(dir, `rewritten-${run++}`);
          writeFileSync(path, bytes[0]!);
          // Modified long ago: the rewrite changes the time even within one tick of the kernel's clock.
          utimesSync(path, 1_000_000, 1_000_000);
          const rewrite = (async () => {
            if (ticks < 20)
              for (let i = 0; i < ticks; i++) await new Promise((resolve) => setImmediate(resolve));
            else await new Promise((resolve) => setTimeout(resolve, ticks - 20));
            const fd = openSync(path, 'r+');
            try {
              writeSync(fd, next, 0, next.length, 0);
            } finally {
              closeSync(fd);
            }
          })();
          let sum = 0;
          try {
            sum = await sumWith(reader, path);
            await rewrite;
            // A read that ended before the rewrite gives the original file's value; one that opened
            // the file after it, the value of the file as rewritten. A read the rewrite overlapped
            // gives none: it fails.
            const after = await readAll(path).then(
              (r) => [r.sum],
              () => [],
            );
            const close = (s: number) => Math.abs(s - sum) <= 1e-6 * Math.abs(s);
            expect([sums[0]!, ...after].some(close)).toBe(true);
          } catch (e) {
            if (!(e instanceof ArrowReadError)) throw e;
          } finally {
            await rewrite;
          }
        },
      ),
      { numRuns: 40, seed: 2027 },
    );
  }, 240_000);
});
