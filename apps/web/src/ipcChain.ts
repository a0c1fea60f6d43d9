import {
  type IpcBatchAt,
  ipcBatchPlans,
  type PositionalFile,
  RANGE_BYTES,
  scanIpcStream,
  type TensorLayout,
} from '@lossflow/arrow';
import type { RegionItem } from './ReadRegion.js';
import type { SpanReader } from './SpanReader.js';

/**
 * A stretch of an Arrow IPC stream that one worker walks message by message (see
 * {@link walkIpcChain}): the batches whose messages start in `start`…`limit`. `exact` when `start`
 * is known to be a message's start; otherwise the walk begins at the first message it finds there.
 */
export interface ChainRegion {
  /** The region's number, for the page to tell replies apart. */
  readonly key: number;
  readonly start: number;
  readonly limit: number;
  readonly exact: boolean;
  /**
   * Record batch messages (empty ones too) before `start`, known for an `exact` region only: the
   * errors that count the batches before them (a stream without its end-of-stream marker, bytes
   * after it) then count them from the stream's start, as the CLI's do.
   */
  readonly batchesBefore: number | undefined;
}

/** Where a walk began and how it ended. */
export interface ChainOutcome {
  /** The message the walk began at; `undefined` when no message starts in the region. */
  readonly first: number | undefined;
  /** The first record batch message starting at or after the region's limit (the walk stopped there). */
  readonly end: number | undefined;
  /**
   * A batch the walk stopped before because the CLI cuts it into row ranges: the page reads
   * headers itself from there on, so it is cut as the CLI cuts it.
   */
  readonly big: number | undefined;
  /** The walk reached the end-of-stream marker, with nothing after it. */
  readonly eos: boolean;
  /** Record batch messages (empty ones too) the walk passed before it stopped at `end` or `big`. */
  readonly recordBatches: number;
  /** What failed (reading a message, or `onBatch`), after the batches passed to `onBatch`. */
  readonly error?: unknown;
}

/** Bytes scanned at once for a message's start. */
const SCAN_BYTES = 1024 * 1024;

/**
 * Positions that look like a message's start but do not frame as one, at most, before a region's
 * walk gives up finding its start (the page then walks it exactly, from where the region before
 * ended). Real data holds few (a NaN's bits, then a small number); bytes full of them, as a binary
 * column can be, would otherwise cost a failed message read every 8 bytes.
 */
const MAX_FALSE_STARTS = 64;

/**
 * Walks the record batches of an Arrow IPC stream `file` whose messages start in `region`, reading
 * the file through `spans` (opened on one segment from the region's start to the file's end) and
 * handing each non-empty batch's read plan, its bytes loaded, to `onBatch`. The messages are framed
 * and checked by the package's `scanIpcStream`, as the CLI's worker pool checks them.
 *
 * A region that is not `exact` begins at the first 8-byte aligned position holding a message that
 * frames and checks (Arrow writers align every message to 8 bytes), or finds none after a few
 * positions that only look like one (see `MAX_FALSE_STARTS`). Such a start can be wrong: the
 * bytes of a batch's data can look like a message. The page therefore takes a region's batches only
 * when its `first` is where the walk of the region before it ended (its `end`); otherwise it walks
 * the region again from there (`exact`). Walks are thus only ever taken along the stream's true
 * chain of messages, as a reader from the start would follow it, and each worker finds its own
 * batches without the page reading a header per batch (in a browser, a read of a `File` costs
 * about a millisecond however small).
 *
 * @example
 * const outcome = await walkIpcChain(file, spans, region, names, layouts, (item) => compute(item));
 */
export async function walkIpcChain(
  file: Blob & { readonly name?: string },
  spans: SpanReader,
  region: ChainRegion,
  names: readonly string[],
  layouts: readonly TensorLayout[],
  onBatch: (item: RegionItem, end: number) => void,
): Promise<ChainOutcome> {
  const name = file.name ?? 'stream';
  const behind = new Map<string, Uint8Array>();
  // The schema lies before the region: read once, on its own; the rest comes through `spans`.
  const positional: PositionalFile = {
    async read(buffer, offset, length, position) {
      let bytes: Uint8Array;
      if (position < region.start) {
        const key = `${position}:${length}`;
        bytes =
          behind.get(key) ?? new Uint8Array(await file.slice(position, position + length).arrayBuffer());
        behind.set(key, bytes);
      } else bytes = await spans.bytes(position, length);
      buffer.set(bytes, offset);
      return { bytesRead: bytes.length };
    },
  };
  const readAt = async (into: Uint8Array, position: number): Promise<void> => {
    await positional.read(into, 0, into.length, position);
  };
  const open = async (at: number) => {
    const scan = await scanIpcStream(positional, file.size, name, false, at, region.batchesBefore);
    const batches = scan.batches();
    return { scan, batches, next: await batches.next() };
  };
  let first: number | undefined;
  let walk: Awaited<ReturnType<typeof open>> | undefined;
  try {
    if (region.exact) {
      first = region.start;
      walk = await open(region.start);
    } else {
      let falseStarts = 0;
      for (
        let q = Math.ceil(region.start / 8) * 8;
        q < region.limit && walk === undefined && falseStarts < MAX_FALSE_STARTS;
      ) {
        const view = await spans.bytes(q, Math.min(SCAN_BYTES, region.limit - q + 8));
        if (view.length < 8) break;
        let k = 0;
        while (k + 8 <= view.length && q + k < region.limit && !messagePrefix(view, k)) k += 8;
        if (k + 8 > view.length || q + k >= region.limit) {
          q += k;
          continue;
        }
        // A failure here means the bytes only looked like a message: scanning goes on after them.
        walk = await open(q + k).catch(() => undefined);
        if (walk !== undefined) first = q + k;
        else falseStarts++;
        q += k + 8;
      }
    }
    if (walk === undefined)
      return { first: undefined, end: undefined, big: undefined, eos: false, recordBatches: 0 };
    let index = 0;
    let recordBatches = 0;
    for (let next = walk.next; next.done !== true; next = await walk.batches.next()) {
      const at: IpcBatchAt = next.value;
      if (at.seek >= region.limit) return { first, end: at.seek, big: undefined, eos: false, recordBatches };
      const rows = at.header.rows;
      if (rows > 0) {
        const plans = await ipcBatchPlans(
          walk.scan,
          at,
          names,
          layouts,
          index,
          rows,
          name,
          RANGE_BYTES,
          readAt,
        );
        if (plans.length !== 1) return { first, end: undefined, big: at.seek, eos: false, recordBatches };
        const item: RegionItem = { index, part: 0, plan: plans[0]! };
        await spans.load(item);
        onBatch(item, at.bodyOffset + at.bodyLength);
        index++;
      }
      recordBatches++;
    }
    return { first, end: undefined, big: undefined, eos: true, recordBatches };
  } catch (error) {
    return { first, end: undefined, big: undefined, eos: false, recordBatches: 0, error };
  }
}

/** Metadata bytes of a message a region's walk may begin at, at most (a batch's are a few hundred). */
const MAX_METADATA = 1024 * 1024;

/**
 * The eight bytes at `k` can start a message: the continuation marker, then the metadata's length
 * (0 for the end-of-stream marker; else a multiple of 8, as writers pad it, and not so big that
 * checking it would read far ahead).
 */
function messagePrefix(view: Uint8Array, k: number): boolean {
  if (view[k] !== 255 || view[k + 1] !== 255 || view[k + 2] !== 255 || view[k + 3] !== 255) return false;
  const length = view[k + 4]! | (view[k + 5]! << 8) | (view[k + 6]! << 16) | (view[k + 7]! << 24);
  return length >= 0 && length % 8 === 0 && length <= MAX_METADATA;
}
