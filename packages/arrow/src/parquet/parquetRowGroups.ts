import { tableFromIPC } from 'apache-arrow';
import { decoderTrapError, isDecoderTrap } from './decoderTrap.js';
import type { ColumnRows } from './fast/ColumnRows.js';
import { FastParquet } from './fast/FastParquet.js';
import { footerMeta } from './fast/footerMeta.js';
import { isFastPathSignal } from './fast/isFastPathSignal.js';
import { readFooter } from './fast/readFooter.js';
import { parquetDecodeError } from './parquetDecodeError.js';
import { openParquetFile, type ParquetFile, type ParquetMeta } from './parquetFile.js';
import { readAtFd } from './readAtFd.js';

/** A Parquet file open in a worker thread: its footer, then one row group at a time. */
export interface ParquetRowGroups {
  readonly meta: ParquetMeta;
  /**
   * Rows `[first, end)` of `columns` by the fast path (see `ParquetFile.locateRows`): `undefined`
   * when a column takes the general decoder, or the fast path finds it must (then `read`).
   */
  locateRows(
    rowGroup: number,
    columns: readonly string[],
    first: number,
    end: number,
  ): readonly ColumnRows[] | undefined;
  /**
   * Whether `e` is a fast-path signal thrown while copying located rows (`ColumnRows.copyValues`):
   * the general decoder then reads them. Here so a worker tests for it without loading the decoders.
   */
  isFastPathSignal(e: unknown): boolean;
  /** Row group `rowGroup`'s `columns` (top-level names), decoded to an Arrow IPC stream in batches of `batchSize` rows. */
  read(
    rowGroup: number,
    columns: readonly string[],
    batchSize: number,
    limit: number | undefined,
  ): Promise<Uint8Array>;
}

/**
 * Opens the Parquet file behind `fd` with the one Parquet decoding body (`openParquetFile`), for
 * the workers of `mapBatchesInWorkers`, which decode row groups in parallel, each its own; the
 * decoder's failures come back as typed errors naming the file and row group.
 *
 * @example
 * const file = await openParquetRowGroups(fd, size, 'log.parquet');
 * const ipc = await file.read(0, ['logits', 'target'], 65_536, undefined);
 */
export async function openParquetRowGroups(
  fd: number,
  size: number,
  name: string,
  schema?: Uint8Array,
): Promise<ParquetRowGroups> {
  let file: ParquetFile;
  try {
    // Given the schema the pool read, parquet-wasm loads only if a column chunk needs it.
    // The footer alone (a pool's first request) from hyparquet's parser where the Arrow schema is
    // plain to derive: parquet-wasm is then compiled only if a column chunk needs it.
    // Parsed once: the footer of a file of many row groups takes tens of ms.
    const metadata = readFooter(readAtFd(fd), size);
    const known = schema ?? footerMeta(readAtFd(fd), size, metadata)?.schema;
    file = await openParquetFile(
      readAtFd(fd),
      size,
      undefined,
      known === undefined ? {} : { schema: known, ...(metadata === undefined ? {} : { metadata }) },
    );
  } catch (e) {
    throw parquetDecodeError(e, name, undefined);
  }
  return {
    meta: file.meta,
    isFastPathSignal,
    locateRows(rowGroup, columns, first, end) {
      try {
        return file.locateRows(rowGroup, columns, first, end);
      } catch (e) {
        // The general decoder reads the rows instead, and reports a damaged page as it always has.
        if (isFastPathSignal(e)) return undefined;
        throw e;
      }
    },
    async read(rowGroup, columns, batchSize, limit) {
      try {
        return await file.read(rowGroup, columns, batchSize, limit);
      } catch (e) {
        throw isDecoderTrap(e)
          ? decoderTrapError(e, name, rowGroup, columns)
          : parquetDecodeError(e, name, rowGroup);
      }
    },
  };
}

/**
 * The footer's meta of the Parquet file behind `fd` exactly as {@link openParquetRowGroups} gives
 * it, where it gives it without parquet-wasm (see `footerMeta`); otherwise `undefined` (ask a
 * worker, which may load parquet-wasm: never this thread). The pool's reading thread, which
 * computes jobs too, reads it here rather than waiting for its first worker to start and parse it.
 *
 * @example
 * const meta = localParquetMeta(fd, size) ?? (await askWorker());
 */
export function localParquetMeta(fd: number, size: number): ParquetMeta | undefined {
  const metadata = readFooter(readAtFd(fd), size);
  if (metadata === undefined) return undefined;
  const known = footerMeta(readAtFd(fd), size, metadata);
  if (known === undefined) return undefined;
  // As `openParquetFile` with a known schema: the fast path must open, else parquet-wasm reads the footer.
  const fast = FastParquet.open(readAtFd(fd), size, tableFromIPC(known.schema).schema.fields, { metadata });
  if (fast === undefined) return undefined;
  return { rowGroups: fast.rowCounts(), schema: known.schema, unsupported: [] };
}
