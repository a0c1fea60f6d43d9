import {
  ArrowReadError,
  type BatchReadPlan,
  ipcBatchPlans,
  type PositionalFile,
  RANGE_BYTES,
  scanIpcStream,
  type TensorLayout,
  tensorLayout,
} from '@lossflow/arrow';
import { DataType, type Field, type Schema } from 'apache-arrow';

/**
 * A `File` read at positions, for `scanIpcStream` (each read one `slice(…).arrayBuffer()`: only
 * message headers and a list column's few offsets are read this way, never a batch's body).
 *
 * @example
 * const scan = await scanIpcStream(positionalFile(file), file.size, file.name, false);
 */
export function positionalFile(file: Blob): PositionalFile {
  return {
    async read(buffer, offset, length, position) {
      const bytes = new Uint8Array(await file.slice(position, position + length).arrayBuffer());
      buffer.set(bytes, offset);
      return { bytesRead: bytes.length };
    },
  };
}

/**
 * The layouts of `names` in `schema` when the workers can read a stream with this schema
 * themselves, batch by batch: not when a column is dictionary-encoded (its dictionaries are
 * messages of their own) or a selected column is not a tensor (the general path then reports it
 * in the CLI's words at its first batch).
 */
export function blockLayouts(schema: Schema, names: readonly string[]): TensorLayout[] | undefined {
  const plain = (f: Field): boolean => !DataType.isDictionary(f.type) && (f.type.children ?? []).every(plain);
  if (!schema.fields.every(plain)) return undefined;
  const layouts: TensorLayout[] = [];
  for (const name of names) {
    const field = schema.fields.find((f) => f.name === name);
    const layout = field === undefined ? undefined : tensorLayout(field);
    if (layout === undefined || !layout.usable) return undefined;
    layouts.push(layout);
  }
  return layouts;
}

/** One non-empty record batch of a stream: its rows, where its body ends, and its read plans. */
export interface IpcBlock {
  readonly rows: number;
  readonly end: number;
  /** Record batch messages (empty ones too) from the stream's start up to this one's end. */
  readonly recordBatches: number;
  /**
   * The batch whole, or its row ranges of 4 MiB of the read columns, as the CLI's worker pool cuts
   * it (`ipcBatchPlans`): each a job for any worker, merged back in row order.
   */
  readonly plans: readonly BatchReadPlan[];
}

/**
 * The non-empty record batches of the Arrow IPC stream `file` as read plans of the columns
 * `names` (from the message at `seek` on, the batches before it numbered `firstIndex`, the record
 * batch messages before it `recordBatchesBefore`, empty ones too), found by their message headers alone (the package's `scanIpcStream`, which frames and
 * checks the messages as the CLI's worker pool does). Batches without rows are passed over, as the
 * CLI passes them over (they are not counted in `batches` either). The workers then read each
 * plan's bytes themselves, in parallel, so this thread reads only headers.
 *
 * @example
 * for await (const block of ipcBlocks(file, ['logits', 'target'], layouts)) send(block.plans);
 */
export async function* ipcBlocks(
  file: File,
  names: readonly string[],
  layouts: readonly TensorLayout[],
  seek?: number,
  firstIndex = 0,
  recordBatchesBefore = 0,
): AsyncGenerator<IpcBlock> {
  const reader = positionalFile(file);
  const scan = await scanIpcStream(reader, file.size, file.name, false, seek, recordBatchesBefore);
  const readAt = async (into: Uint8Array, position: number): Promise<void> => {
    const { bytesRead } = await reader.read(into, 0, into.length, position);
    if (bytesRead < into.length) throw truncated(file.name, position + bytesRead);
  };
  let index = firstIndex;
  let recordBatches = recordBatchesBefore;
  for await (const at of scan.batches()) {
    recordBatches++;
    const rows = at.header.rows;
    if (rows === 0) continue;
    const plans = await ipcBatchPlans(scan, at, names, layouts, index, rows, file.name, RANGE_BYTES, readAt);
    index++;
    yield { rows, end: at.bodyOffset + at.bodyLength, recordBatches, plans };
  }
}

/**
 * A file that ends inside a record batch, worded as the CLI's worker pool words it.
 *
 * @example
 * throw truncated('log.arrows', 1024);
 */
export function truncated(file: string, at: number): ArrowReadError {
  return new ArrowReadError('TRUNCATED', `the file ends at byte ${at}, inside a record batch`, {
    file,
    hint: 'The file was cut short or is being rewritten: copy it again.',
  });
}
