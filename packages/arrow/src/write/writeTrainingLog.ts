import type { FileFormat } from '../format/detectFormat.js';
import { type TrainingLogOptions, trainingLogBatches, trainingLogSchema } from './trainingLogBatches.js';
import { writeIpcFile, writeIpcStream } from './writeIpcStream.js';
import { writeParquet } from './writeParquet.js';

/**
 * Writes the synthetic training log of {@link trainingLogBatches} to `path` as an Arrow IPC
 * stream, an Arrow IPC file or Parquet (row groups of `batchRows` rows), batch by batch: memory stays at
 * about one batch whatever the size. Returns the rows and bytes written.
 *
 * @example
 * await writeTrainingLog('/tmp/train.parquet', 'parquet', { rows: 50_000, classes: 10, epochs: 5, ignoreShare: 0.05 });
 */
export async function writeTrainingLog(
  path: string,
  format: FileFormat,
  options: TrainingLogOptions,
): Promise<{ rows: number; bytes: number }> {
  const batches = trainingLogBatches(options);
  if (format === 'parquet') {
    return writeParquet(path, batches, { rowGroupRows: options.batchRows ?? 8192 });
  }
  const schema = trainingLogSchema(options.classes);
  const out = format === 'arrow-file' ? writeIpcFile(path, schema) : writeIpcStream(path, schema);
  let rows = 0;
  try {
    for (const batch of batches) {
      await out.write(batch);
      rows += batch.numRows;
    }
  } finally {
    await out.close();
  }
  return { rows, bytes: out.bytes };
}
