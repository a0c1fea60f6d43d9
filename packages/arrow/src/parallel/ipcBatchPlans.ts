import { ArrowReadError } from '../errors/ArrowReadError.js';
import type { IpcBatchAt, IpcScan } from '../ipc/scanIpcBlocks.js';
import type { TensorLayout } from '../schema/tensorLayout.js';
import { type BatchReadPlan, batchReadPlan } from './BatchReadPlan.js';
import { batchSlots } from './batchSlots.js';
import { type ReadBytesAt, rowRangePlans } from './rowRangePlans.js';

/**
 * The read plans of one non-empty record batch of a scanned Arrow IPC stream or file, as the worker
 * pool of `mapBatchesInWorkers` plans it: the batch whole, or, given `rangeBytes`, its row ranges
 * of that many bytes of the selected columns (see `rowRangePlans`), which merged in row order give
 * the same bits for any thread count. Universal: the browser page plans a `File`'s batches with it
 * for its Web Workers, which read each plan's bytes into an IO region (see `IoRegionBatch`).
 *
 * @param index the batch's index among the source's non-empty batches (errors name it).
 * @param rows the rows to use: the batch's, or fewer at a row limit.
 * @throws {ArrowReadError} `UNSUPPORTED` for compressed buffers; `CORRUPT` when the header does not
 * match the schema or points outside the body; errors of `readAt` (list offsets of a row range).
 * @example
 * for await (const at of scan.batches()) if (at.header.rows > 0) plans.push(...(await ipcBatchPlans(scan, at, names, layouts, i++, at.header.rows, 'log.arrows', RANGE_BYTES, readAt)));
 */
export async function ipcBatchPlans(
  scan: Pick<IpcScan, 'fields' | 'version'>,
  at: IpcBatchAt,
  names: readonly string[],
  layouts: readonly TensorLayout[],
  index: number,
  rows: number,
  file: string,
  rangeBytes: number | undefined,
  readAt: ReadBytesAt,
): Promise<BatchReadPlan[]> {
  const { header, bodyOffset, bodyLength } = at;
  if (header.compressed) {
    throw new ArrowReadError('UNSUPPORTED', 'compressed Arrow IPC buffers cannot be read', {
      file,
      batch: index,
      hint: 'Write the file without IPC compression (e.g. pyarrow: IpcWriteOptions(compression=None)).',
    });
  }
  const slots = batchSlots(scan.fields, scan.version, header.variadicCounts, names);
  return rangeBytes === undefined
    ? [batchReadPlan(header, bodyOffset, bodyLength, slots, names, index, rows, file)]
    : rowRangePlans(
        header,
        bodyOffset,
        bodyLength,
        slots,
        names,
        layouts,
        index,
        rows,
        file,
        rangeBytes,
        readAt,
      );
}
