import {
  Data,
  makeData,
  RecordBatch,
  type Schema,
  Struct,
  Table,
  tableFromIPC,
  tableToIPC,
  Vector,
} from 'apache-arrow';

/** A buffer of Arrow data. */
type TypedArray = ArrayBufferView & {
  slice(): TypedArray;
  readonly length: number;
  readonly buffer: ArrayBufferLike;
};

/** One column's Arrow data as plain parts `postMessage` can move: its buffers, children and dictionary. */
export interface DataMessage {
  readonly offset: number;
  readonly length: number;
  readonly nullCount: number;
  /** Arrow's buffer order: value offsets, values, validity bitmap, type ids. */
  readonly buffers: readonly (TypedArray | undefined)[];
  readonly children: readonly DataMessage[];
  readonly dictionary: readonly DataMessage[] | undefined;
}

/** A record batch as plain parts: its columns' data, and its schema as an Arrow IPC schema message. */
export interface BatchMessage {
  /** Which schema (the page numbers them per file), so a worker decodes each schema once. */
  readonly schemaId: number;
  readonly schema: Uint8Array;
  readonly length: number;
  readonly columns: readonly DataMessage[];
}

/**
 * A record batch as a message for a worker, each buffer copied into its own `ArrayBuffer` that
 * goes in `transfer`: a memory copy, where writing and parsing an IPC stream again would cost
 * many times more (and a batch's buffers may be views of a reader's buffer shared with others).
 *
 * @example
 * const transfer: ArrayBuffer[] = [];
 * worker.postMessage(batchMessage(batch, 0, schemaBytes(batch.schema), transfer), transfer);
 */
export function batchMessage(
  batch: RecordBatch,
  schemaId: number,
  schema: Uint8Array,
  transfer: ArrayBuffer[],
): BatchMessage {
  return {
    schemaId,
    schema,
    length: batch.numRows,
    columns: batch.data.children.map((d) => dataMessage(d, transfer)),
  };
}

/** A schema as an Arrow IPC stream with no batches. */
export function schemaBytes(schema: Schema): Uint8Array {
  return tableToIPC(new Table(schema), 'stream');
}

function dataMessage(data: Data, transfer: ArrayBuffer[]): DataMessage {
  const buffers = [data.valueOffsets, data.values, data.nullBitmap, data.typeIds].map((b) => {
    if (b === undefined || b === null || b.length === 0) return undefined;
    const copy = (b as unknown as TypedArray).slice();
    transfer.push(copy.buffer as ArrayBuffer);
    return copy;
  });
  return {
    offset: data.offset,
    length: data.length,
    nullCount: data.nullCount,
    buffers,
    children: data.children.map((c) => dataMessage(c, transfer)),
    dictionary: data.dictionary?.data.map((d) => dataMessage(d, transfer)),
  };
}

const schemas = new Map<number, Schema>();

/**
 * Forgets the schemas decoded so far: a run numbers its files' schemas from 1, so a worker kept
 * for another run (see `WarmWorkers`) would otherwise decode a new file's batches with an earlier
 * run's schema of the same number.
 *
 * @example
 * if (message.type === 'init') forgetSchemas();
 */
export function forgetSchemas(): void {
  schemas.clear();
}

/**
 * The record batch a {@link BatchMessage} carries, over the transferred buffers (no copy).
 *
 * @example
 * const batch = batchOfMessage(event.data.batch);
 */
export function batchOfMessage(message: BatchMessage): RecordBatch {
  let schema = schemas.get(message.schemaId);
  if (schema === undefined) {
    schema = tableFromIPC(message.schema).schema;
    schemas.set(message.schemaId, schema);
  }
  const fields = schema.fields;
  const children = message.columns.map((m, i) => dataOf(fields[i]!.type, m));
  return new RecordBatch(
    schema,
    makeData({ type: new Struct(fields), length: message.length, nullCount: 0, children }),
  );
}

function dataOf(type: Data['type'], m: DataMessage): Data {
  const childTypes = (type.children ?? []) as { type: Data['type'] }[];
  const children = m.children.map((c, i) => dataOf(childTypes[i]!.type, c));
  const dictionaryType = (type as { dictionary?: Data['type'] }).dictionary;
  const dictionary =
    m.dictionary === undefined || dictionaryType === undefined
      ? undefined
      : new Vector(m.dictionary.map((d) => dataOf(dictionaryType, d)));
  return new Data(type, m.offset, m.length, m.nullCount, m.buffers as never, children, dictionary);
}
