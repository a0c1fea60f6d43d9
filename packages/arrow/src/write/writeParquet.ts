import { createRequire } from 'node:module';
import { DataType, type RecordBatch, type Schema, Table, tableToIPC } from 'apache-arrow';
import { ioError } from '../io/ioError.js';
import { sameSchema } from '../schema/sameSchema.js';

/** Options of {@link writeParquet}. */
export interface ParquetWriteOptions {
  /** Rows per row group (default 65,536): the unit a reader decodes at once. */
  rowGroupRows?: number;
  /** Column codec (default `'snappy'`, as pyarrow writes). */
  compression?: 'uncompressed' | 'snappy' | 'zstd' | 'gzip' | 'brotli' | 'lz4_raw';
  /**
   * Which columns get a dictionary: `'keys'` (default) integer and string columns, float ones
   * PLAIN; `'all'` every column, as parquet-rs and pyarrow write by default.
   */
  dictionary?: 'keys' | 'all';
}

type ParquetWasm = typeof import('parquet-wasm');

const require = createRequire(import.meta.url);
let wasm: ParquetWasm | undefined;

/**
 * Writes record batches to a Parquet file with parquet-wasm, streaming: each batch is handed to
 * the encoder as it comes and each finished row group is written out, so memory holds about one
 * row group, whatever the total size. Returns the rows and bytes written.
 *
 * Every batch must have the first batch's column names and types: one of another schema is
 * refused (`BAD_COLUMN_TYPE`, naming both), as is any error of `batches` rethrown, and nothing is
 * reported as written. The file is then left without its footer (the row groups written before,
 * if any): no Parquet reader takes it for a complete file. It is not removed; the caller decides.
 *
 * @example
 * await writeParquet('log.parquet', trainingLogBatches({ rows: 100_000, classes: 10, epochs: 3 }));
 */
export async function writeParquet(
  path: string,
  batches: Iterable<RecordBatch> | AsyncIterable<RecordBatch>,
  options: ParquetWriteOptions = {},
): Promise<{ rows: number; bytes: number }> {
  wasm ??= require('parquet-wasm') as ParquetWasm;
  const pw = wasm;
  const codec = {
    uncompressed: pw.Compression.UNCOMPRESSED,
    snappy: pw.Compression.SNAPPY,
    zstd: pw.Compression.ZSTD,
    gzip: pw.Compression.GZIP,
    brotli: pw.Compression.BROTLI,
    lz4_raw: pw.Compression.LZ4_RAW,
  }[options.compression ?? 'snappy'];
  const iterator =
    Symbol.asyncIterator in batches
      ? (batches as AsyncIterable<RecordBatch>)[Symbol.asyncIterator]()
      : (batches as Iterable<RecordBatch>)[Symbol.iterator]();
  let rows = 0;
  /** Why the input failed (a batch of another schema, the caller's iterable throwing): nothing more is written. */
  let failure: { error: unknown } | undefined;
  // The first batch, read before the encoder starts: its schema decides each column's encoding.
  let pending: RecordBatch | undefined;
  try {
    const first = await iterator.next();
    if (first.done !== true) pending = first.value;
  } catch (e) {
    failure = { error: e };
  }
  let schema: Schema | undefined = pending?.schema;
  let builder = new pw.WriterPropertiesBuilder()
    .setMaxRowGroupSize(options.rowGroupRows ?? 65_536)
    .setCompression(codec)
    // Float values repeat rarely: a dictionary (parquet-rs fills 1 MB of one per column chunk
    // before falling back to PLAIN) saves nothing and costs readers a random lookup per value.
    .setDictionaryEnabled(options.dictionary === 'all');
  for (const field of schema?.fields ?? []) {
    // Integer and string keys (targets, run ids, epochs) repeat: a dictionary makes them small.
    if (DataType.isInt(field.type) || DataType.isUtf8(field.type) || DataType.isLargeUtf8(field.type))
      builder = builder.setColumnDictionaryEnabled(field.name, true);
  }
  const properties = builder.build();
  const input = new ReadableStream({
    // Pulled by the encoder: the next batch is made only when it wants one.
    async pull(controller) {
      if (failure !== undefined) {
        controller.error(failure.error);
        return;
      }
      try {
        const next: IteratorResult<RecordBatch> =
          pending !== undefined ? { done: false, value: pending } : await iterator.next();
        pending = undefined;
        if (next.done === true) {
          controller.close();
          return;
        }
        // parquet-wasm drops the rows of a batch whose schema differs from the first's, silently.
        schema ??= next.value.schema;
        const checked = sameSchema(next.value, schema, path, 'file');
        rows += checked.numRows;
        const table = pw.Table.fromIPCStream(tableToIPC(new Table([checked]), 'stream'));
        const batch = table.recordBatch(0);
        table.free();
        if (batch !== undefined) controller.enqueue(batch);
      } catch (e) {
        failure = { error: e };
        controller.error(e);
      }
    },
  });
  const output = await pw.transformParquetStream(input, properties);
  const { open } = await import('node:fs/promises');
  let handle: Awaited<ReturnType<typeof open>>;
  try {
    handle = await open(path, 'w');
  } catch (e) {
    throw ioError(e, path, 'write');
  }
  let bytes = 0;
  try {
    for await (const chunk of output as unknown as AsyncIterable<Uint8Array>) {
      // Never the rest (a footer) once the input failed: the file must not look complete.
      if (failure !== undefined) break;
      await handle.write(chunk);
      bytes += chunk.byteLength;
    }
  } catch (e) {
    if (failure === undefined) throw ioError(e, path, 'write');
  } finally {
    await handle.close();
  }
  if (failure !== undefined) throw failure.error;
  return { rows, bytes };
}
