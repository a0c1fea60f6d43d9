import type { Data } from 'apache-arrow';
import type { ElementType, TensorLayout } from '../schema/tensorLayout.js';
import type { BatchTensors, BatchTensorsOptions } from '../tensors/batchTensors.js';
import type { ColumnRef } from '../tensors/ColumnRef.js';
import { tensorsFromColumnRefs } from '../tensors/tensorsFromColumnRefs.js';
import type { BatchReadPlan, PlannedBuffer, PlannedLevel } from './BatchReadPlan.js';

/**
 * One record batch as a worker task sees it: its selected columns as tensors, like `batchTensors`.
 * Errors carry no batch index here: the reading thread, which numbers the batches, adds it.
 */
export interface WorkerBatch {
  readonly rows: number;
  /**
   * The tensors of `columns` (role → column name, among the columns the plan selected), exactly as
   * `batchTensors` makes them from an apache-arrow batch of the same rows.
   */
  tensors(
    columns: Readonly<Record<string, string>>,
    options?: Omit<BatchTensorsOptions, 'batchIndex'>,
  ): BatchTensors;
}

type Values = Exclude<Data['values'], undefined>;
type ViewConstructor = {
  new (buffer: ArrayBufferLike, byteOffset: number, length: number): Values;
  readonly BYTES_PER_ELEMENT: number;
};

const VALUE_TYPES: Readonly<Record<ElementType, ViewConstructor>> = {
  float32: Float32Array as unknown as ViewConstructor,
  float64: Float64Array as unknown as ViewConstructor,
  int8: Int8Array as unknown as ViewConstructor,
  int16: Int16Array as unknown as ViewConstructor,
  int32: Int32Array as unknown as ViewConstructor,
  int64: BigInt64Array as unknown as ViewConstructor,
  uint8: Uint8Array as unknown as ViewConstructor,
  uint16: Uint16Array as unknown as ViewConstructor,
  uint32: Uint32Array as unknown as ViewConstructor,
};

/**
 * A {@link BatchReadPlan} whose byte ranges have been read into `io`: its columns are views of `io`
 * (so of WebAssembly memory, when that is where the task asked the batch to be read), shaped as
 * apache-arrow's `Data` where `columnTensor` reads it, so tensors come out exactly as in-process.
 *
 * @example
 * const batch = new IoRegionBatch(io, block, ['logits', 'target'], layouts);
 * const { tensors } = batch.tensors({ input: 'logits', target: 'target' });
 */
export class IoRegionBatch implements WorkerBatch {
  readonly rows: number;
  readonly #refs = new Map<string, ColumnRef>();

  constructor(
    io: Uint8Array,
    block: BatchReadPlan,
    names: readonly string[],
    layouts: readonly TensorLayout[],
  ) {
    this.rows = block.rows;
    names.forEach((name, i) => {
      const layout = layouts[i]!;
      const data = levelData(io, block.columns[i]!, 0, layout) as unknown as Data;
      this.#refs.set(name, { name, data, layout });
    });
  }

  tensors(
    columns: Readonly<Record<string, string>>,
    options: Omit<BatchTensorsOptions, 'batchIndex'> = {},
  ): BatchTensors {
    return tensorsFromColumnRefs(this.#refs, columns, this.rows, options);
  }
}

/** The members of apache-arrow's `Data` that `columnTensor` reads. */
interface LevelData {
  length: number;
  nullCount: number;
  offset: number;
  nullBitmap: Uint8Array | undefined;
  valueOffsets: Int32Array | BigInt64Array | undefined;
  values: Values | undefined;
  children: LevelData[];
}

function levelData(
  io: Uint8Array,
  levels: readonly PlannedLevel[],
  depth: number,
  layout: TensorLayout,
): LevelData {
  const level = levels[depth]!;
  const leaf = depth === levels.length - 1;
  const offsetsType = (layout.list === 'largeList'
    ? BigInt64Array
    : Int32Array) as unknown as ViewConstructor;
  return {
    length: level.length,
    nullCount: level.nullCount,
    offset: level.offset ?? 0,
    nullBitmap:
      level.validity === undefined
        ? undefined
        : (view(io, level.validity, Uint8Array as unknown as ViewConstructor) as Uint8Array),
    valueOffsets:
      level.offsets === undefined
        ? undefined
        : (view(io, level.offsets, offsetsType) as Int32Array | BigInt64Array),
    values: level.values === undefined ? undefined : view(io, level.values, VALUE_TYPES[layout.dtype]),
    children: leaf ? [] : [levelData(io, levels, depth + 1, layout)],
  };
}

/** A typed view of a buffer in `io`; a copy only for a buffer its writer left unaligned for the type. */
function view(io: Uint8Array, b: PlannedBuffer, type: ViewConstructor): Values {
  const size = type.BYTES_PER_ELEMENT;
  const length = Math.floor(b.length / size);
  const at = io.byteOffset + b.at;
  if (at % size === 0) return new type(io.buffer, at, length);
  return new type(io.slice(b.at, b.at + length * size).buffer, 0, length);
}
