import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ArrowReadError } from './ArrowReadError.js';
import type { FileFormat } from './detectFormat.js';
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
    }, 120_000);
  }

  it('the undamaged files read completely in every format', async () => {
    for (const format of FORMATS) {
      expect(await readAll(files.get(format)!)).toMatchObject({ rows: 80 });
    }
  });
});
