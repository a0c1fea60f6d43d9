import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FileFormat } from '../format/detectFormat.js';
import type { ReadOptions } from '../read/readBatches.js';
import type { FileSource } from '../read/readFile.js';
import { readFile as readArrow } from '../read/readFile.js';
import { batchTensors } from '../tensors/batchTensors.js';
import { type TrainingLogOptions, trainingLogBatches } from '../write/trainingLogBatches.js';
import { writeParquet } from '../write/writeParquet.js';
import { writeTrainingLog } from '../write/writeTrainingLog.js';

export const FORMATS: readonly FileFormat[] = ['arrow-stream', 'arrow-file', 'parquet'];

/** A fresh directory under the OS temp dir, and a function that removes it. */
export async function tempDir(): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'lossflow-arrow-test-'));
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

/** The bytes of a small training log in `format`. */
export async function smallLog(
  dir: string,
  format: FileFormat,
  options: TrainingLogOptions,
): Promise<Uint8Array> {
  const path = join(dir, `small-${format}-${options.rows}-${options.classes}-${options.batchRows ?? 0}`);
  await writeTrainingLog(path, format, options);
  return new Uint8Array(await readFile(path));
}

/** Reads everything and makes tensors of `logits` and `target` in each batch; returns rows and batches. */
export async function readAll(
  source: FileSource,
  options: ReadOptions = {},
): Promise<{ rows: number; batches: number; sum: number }> {
  let rows = 0;
  let batches = 0;
  let sum = 0;
  for await (const batch of readArrow(source, options)) {
    const { tensors } = batchTensors(batch, { input: 'logits', target: 'target' }, { batchIndex: batches });
    const x = tensors.input!.data as Float32Array;
    for (let i = 0; i < x.length; i++) sum += x[i]!;
    rows += batch.numRows;
    batches++;
  }
  return { rows, batches, sum };
}

/** Chunks of `bytes` of the given sizes, cycling, as an async iterable (a stream that arrives in pieces). */
export async function* chunked(
  bytes: Uint8Array,
  sizes: readonly number[] = [7, 1000, 3, 65536],
): AsyncGenerator<Uint8Array> {
  let at = 0;
  let i = 0;
  while (at < bytes.length) {
    const n = sizes[i++ % sizes.length]!;
    yield bytes.slice(at, at + n);
    at += n;
    await Promise.resolve();
  }
}

/** Number of open file descriptors of this process (Linux), to check that readers close their files. */
export async function openFds(): Promise<number> {
  const { readdir } = await import('node:fs/promises');
  return (await readdir('/proc/self/fd')).length;
}

/**
 * A small Parquet log (SNAPPY, 5 row groups of 16 rows) with one byte of a data page in row group 1
 * changed so that parquet-wasm traps ("unreachable") decoding it, while its footer still reads.
 * Found by flipping bytes as the fuzz suite does; written fresh each time, never committed.
 */
export async function damagedParquet(dir: string): Promise<string> {
  // Written with float dictionaries, as parquet-rs's default: byte 987 then lies where the
  // decoder traps.
  const source = join(dir, 'damaged-page-source.parquet');
  await writeParquet(
    source,
    trainingLogBatches({ rows: 40, classes: 3, epochs: 2, batchRows: 16, ignoreShare: 0.2 }),
    { rowGroupRows: 16, dictionary: 'all' },
  );
  const bytes = new Uint8Array(await readFile(source));
  bytes[987] = 70;
  const path = join(dir, 'damaged-page.parquet');
  const { writeFile } = await import('node:fs/promises');
  await writeFile(path, bytes);
  return path;
}
