import { ArrowReadError } from '../errors/ArrowReadError.js';
import type { RecordBatchHeader } from '../ipc/ipcMetadata.js';
import type { BatchSlots } from './batchSlots.js';

/** A buffer of a batch at its place in the IO region the batch's byte ranges are read into. */
export interface PlannedBuffer {
  /** Byte position in the IO region. */
  readonly at: number;
  readonly length: number;
}

/** One level of a column in a batch (see `LevelSlots`): its length, nulls and buffers. */
export interface PlannedLevel {
  readonly length: number;
  /**
   * Bits into the validity bitmap where the level's first slot is (a row range's list values start
   * anywhere in a byte); 0 when absent.
   */
  readonly offset?: number;
  readonly nullCount: number;
  /** Only when the level has nulls. */
  readonly validity: PlannedBuffer | undefined;
  readonly offsets: PlannedBuffer | undefined;
  readonly values: PlannedBuffer | undefined;
}

/**
 * Everything a worker needs to read one record batch's selected columns by itself: the byte ranges
 * of the file to read (and where to put them in its IO region), and where each column's buffers
 * then are. Plain data, so it can be posted to a worker thread.
 */
export interface BatchReadPlan {
  /** The batch's index among the non-empty batches of the source. */
  readonly index: number;
  /** Rows to use: the batch's, or fewer when a row limit ends inside it (a row range's: see `rowRangePlans`). */
  readonly rows: number;
  /** For a row range of the batch, its first row in the batch (errors name rows of the batch). */
  readonly firstRow?: number;
  /** Bytes of IO region the reads fill. */
  readonly ioBytes: number;
  /** Triples of (file position, length, IO region position). */
  readonly reads: readonly number[];
  /** The levels of each selected column, in the order of the plan's columns. */
  readonly columns: readonly (readonly PlannedLevel[])[];
  /**
   * List offsets to subtract a base from once read, as quadruples (IO region position, count,
   * base, bytes per offset): a row range of a list column reads only the list values its offsets
   * point at, so its offsets must count from its first value (see {@link rebaseListOffsets}).
   */
  readonly rebase?: readonly number[];
}

/**
 * Subtracts each of the plan's `rebase` bases from its list offsets in `io`, once after the plan's
 * byte ranges were read into it.
 *
 * @example
 * readRanges(fd, io, plan.reads); rebaseListOffsets(io, plan);
 */
export function rebaseListOffsets(io: Uint8Array, plan: BatchReadPlan): void {
  const rebase = plan.rebase;
  if (rebase === undefined) return;
  // Through a DataView: a writer may leave the offsets unaligned in the file, so in the region too.
  const view = new DataView(io.buffer, io.byteOffset, io.byteLength);
  for (let i = 0; i < rebase.length; i += 4) {
    const at = rebase[i]!;
    const count = rebase[i + 1]!;
    const base = rebase[i + 2]!;
    if (rebase[i + 3] === 8) {
      const b = BigInt(base);
      for (let k = 0; k < count; k++)
        view.setBigInt64(at + 8 * k, view.getBigInt64(at + 8 * k, true) - b, true);
    } else {
      for (let k = 0; k < count; k++) view.setInt32(at + 4 * k, view.getInt32(at + 4 * k, true) - base, true);
    }
  }
}

// Ranges closer than this are read as one, so a few small buffers cost one system call.
const COALESCE = 64 * 1024;
// IO region positions of separate reads are aligned so every typed-array view of a buffer is.
const ALIGN = 64;

/**
 * The {@link BatchReadPlan} of a record batch whose body starts at `bodyOffset` in the file: its
 * selected columns' buffers (validity bitmaps only where a level has nulls), checked against the
 * body, coalesced into few reads and packed into a compact IO region.
 *
 * @throws {ArrowReadError} `CORRUPT` when the header does not match the schema or points outside the body.
 * @example
 * const block = batchReadPlan(header, bodyOffset, bodyLength, slots, ['logits', 'target'], 0, header.rows, 'log.arrows');
 */
export function batchReadPlan(
  header: RecordBatchHeader,
  bodyOffset: number,
  bodyLength: number,
  slots: BatchSlots,
  names: readonly string[],
  index: number,
  rows: number,
  file: string,
): BatchReadPlan {
  const corrupt = (detail: string) =>
    new ArrowReadError('CORRUPT', detail, {
      file,
      batch: index,
      hint: 'The bytes are damaged or not Arrow IPC: export the file again.',
    });
  if (header.nodes.length !== 2 * slots.nodes || header.buffers.length !== 2 * slots.buffers) {
    throw corrupt(
      `a record batch has ${header.nodes.length / 2} field nodes and ${header.buffers.length / 2} buffers, the schema needs ${slots.nodes} and ${slots.buffers}`,
    );
  }
  const wanted = new Set<number>();
  const levelsOf = names.map((name) => {
    const levels = slots.columns.get(name);
    if (levels === undefined) throw corrupt(`column '${name}' is not laid out as a tensor in the batch`);
    return levels;
  });
  for (const levels of levelsOf) {
    for (const s of levels) {
      // A null count of −1 means unknown (apache-arrow writes it): the bitmap, if any, tells.
      if (header.nodes[2 * s.node + 1]! !== 0) wanted.add(s.validity);
      if (s.offsets >= 0) wanted.add(s.offsets);
      if (s.data >= 0) wanted.add(s.data);
    }
  }
  const order = [...wanted].sort((a, b) => header.buffers[2 * a]! - header.buffers[2 * b]!);
  const reads: number[] = [];
  const placed = new Map<number, PlannedBuffer>();
  let ioBytes = 0;
  let readStart = -1;
  let readEnd = -1;
  let readAt = 0;
  for (const b of order) {
    const offset = header.buffers[2 * b]!;
    const length = header.buffers[2 * b + 1]!;
    if (!(offset >= 0 && length >= 0 && offset + length <= bodyLength)) {
      throw corrupt(`buffer ${b} of a record batch lies outside its body`);
    }
    if (readStart < 0 || offset > readEnd + COALESCE) {
      if (readStart >= 0) reads.push(bodyOffset + readStart, readEnd - readStart, readAt);
      readAt = Math.ceil(ioBytes / ALIGN) * ALIGN;
      readStart = offset;
      readEnd = offset + length;
    } else readEnd = Math.max(readEnd, offset + length);
    ioBytes = readAt + (readEnd - readStart);
    placed.set(b, { at: readAt + (offset - readStart), length });
  }
  if (readStart >= 0) reads.push(bodyOffset + readStart, readEnd - readStart, readAt);
  const columns = levelsOf.map((levels) =>
    levels.map((s): PlannedLevel => {
      const nullCount = header.nodes[2 * s.node + 1]!;
      return {
        length: header.nodes[2 * s.node]!,
        nullCount,
        validity: nullCount !== 0 ? placed.get(s.validity) : undefined,
        offsets: s.offsets >= 0 ? placed.get(s.offsets) : undefined,
        values: s.data >= 0 ? placed.get(s.data) : undefined,
      };
    }),
  );
  return { index, rows, ioBytes, reads, columns };
}
