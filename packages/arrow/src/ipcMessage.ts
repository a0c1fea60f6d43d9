import { ArrowReadError } from './ArrowReadError.js';
import { FlatbufferReader } from './FlatbufferReader.js';
import { FlatbufferError, verifyFooter, verifyMessage } from './verifyIpcMetadata.js';

/**
 * A field of an Arrow schema as the IPC metadata describes it: just enough to know which field
 * nodes and buffers of a record batch belong to it.
 */
export interface IpcField {
  readonly name: string;
  /** The flatbuffers `Type` union tag: 2 Int, 3 FloatingPoint, 12 List, 16 FixedSizeList, … */
  readonly type: number;
  /** Dictionary-encoded: a batch holds its indices (validity and one buffer) and none of its children. */
  readonly dictionary: boolean;
  /** Union mode (0 sparse, 1 dense); 0 for other types. */
  readonly unionMode: number;
  readonly children: readonly IpcField[];
}

/** A record batch message's header: the rows, and where each field node's buffers lie in the body. */
export interface RecordBatchHeader {
  readonly rows: number;
  /** `length, nullCount` of each field node, in the schema's depth-first order. */
  readonly nodes: Float64Array;
  /** `offset, length` in the body of each buffer, in the schema's depth-first order. */
  readonly buffers: Float64Array;
  /** Variadic buffer counts of the view-typed fields, in depth-first order. */
  readonly variadicCounts: readonly number[];
  /** Whether the body is compressed (LZ4 or ZSTD frames), which the lean readers do not decode. */
  readonly compressed: boolean;
}

/** An IPC message's metadata, checked and decoded: the schema's fields or a record batch's header. */
export interface IpcMessage {
  /** `MetadataVersion` (4 is V5). */
  readonly version: number;
  /** 1 schema, 2 dictionary batch, 3 record batch. */
  readonly headerType: number;
  readonly bodyLength: number;
  readonly fields: readonly IpcField[] | undefined;
  readonly batch: RecordBatchHeader | undefined;
}

/**
 * Decodes an IPC message's metadata flatbuffer (the bytes after its length prefix) after checking
 * its bounds: a schema's fields, or a record batch's nodes and buffers. Malformed metadata is a
 * `CORRUPT` {@link ArrowReadError} naming `file`.
 *
 * @example
 * const { headerType, bodyLength, batch } = ipcMessage(metadata, 'log.arrows');
 */
export function ipcMessage(metadata: Uint8Array, file: string): IpcMessage {
  try {
    verifyMessage(metadata);
    const fb = new FlatbufferReader(metadata);
    const root = fb.root();
    const headerType = fb.uint8(root, 1);
    const header = fb.table(root, 2);
    const bodyLength = fb.int64(root, 3);
    const batch = headerType === 3 && header !== 0 ? recordBatchHeader(fb, header) : undefined;
    if (batch !== undefined) checkRecordBatch(batch, bodyLength);
    return {
      version: fb.int16(root, 0),
      headerType,
      bodyLength,
      fields: headerType === 1 && header !== 0 ? schemaFields(fb, header) : undefined,
      batch,
    };
  } catch (e) {
    throw malformed(e, file, "a message's metadata");
  }
}

/**
 * An IPC file's footer (the flatbuffer before its length and closing magic), checked: the
 * schema's fields and the record batch blocks.
 *
 * @example
 * const { fields, recordBatches } = ipcFooter(footerBytes, 'log.arrow');
 */
export function ipcFooter(
  footer: Uint8Array,
  file: string,
): {
  version: number;
  fields: IpcField[];
  recordBatches: { offset: number; metaDataLength: number; bodyLength: number }[];
} {
  try {
    const { recordBatches } = verifyFooter(footer);
    const fb = new FlatbufferReader(footer);
    const root = fb.root();
    return { version: fb.int16(root, 0), fields: schemaFields(fb, fb.table(root, 1)), recordBatches };
  } catch (e) {
    throw malformed(e, file, 'the footer');
  }
}

function schemaFields(fb: FlatbufferReader, schema: number): IpcField[] {
  return fb.tables(schema, 1).map((f) => field(fb, f));
}

function field(fb: FlatbufferReader, f: number): IpcField {
  const type = fb.uint8(f, 2);
  const typeTable = fb.table(f, 3);
  return {
    name: fb.string(f, 0) ?? '',
    type,
    dictionary: fb.table(f, 4) !== 0,
    unionMode: type === UNION && typeTable !== 0 ? fb.int16(typeTable, 0) : 0,
    children: fb.tables(f, 5).map((c) => field(fb, c)),
  };
}

function recordBatchHeader(fb: FlatbufferReader, batch: number): RecordBatchHeader {
  const pairs = (index: number): Float64Array => {
    const { start, length } = fb.vector(batch, index);
    const out = new Float64Array(2 * length);
    for (let i = 0; i < 2 * length; i++) out[i] = fb.int64At(start + 8 * i);
    return out;
  };
  const variadic = fb.vector(batch, 4);
  const variadicCounts: number[] = [];
  for (let i = 0; i < variadic.length; i++) variadicCounts.push(fb.int64At(variadic.start + 8 * i));
  return {
    rows: fb.int64(batch, 0),
    nodes: pairs(1),
    buffers: pairs(2),
    variadicCounts,
    compressed: fb.table(batch, 3) !== 0,
  };
}

const UNION = 14;

/**
 * Every count of a record batch, the columns a reader skips included: a damaged header is an
 * error, whatever columns are read (apache-arrow's reader fails on such lengths when it decodes).
 */
function checkRecordBatch(batch: RecordBatchHeader, bodyLength: number): void {
  const count = (v: number) => Number.isSafeInteger(v) && v >= 0;
  if (!count(batch.rows) || !count(bodyLength)) throw new RangeError('a negative or oversized length');
  const { nodes, buffers } = batch;
  for (let i = 0; i < nodes.length; i += 2) {
    // A null count of −1 means unknown: apache-arrow's writer records it for a sliced Null column.
    const nulls = nodes[i + 1]!;
    if (!count(nodes[i]!) || !(nulls === -1 || (count(nulls) && nulls <= nodes[i]!)))
      throw new RangeError(`field node ${i / 2} has length ${nodes[i]} and null count ${nodes[i + 1]}`);
  }
  for (let i = 0; i < buffers.length; i += 2) {
    if (!count(buffers[i]!) || !count(buffers[i + 1]!) || buffers[i]! + buffers[i + 1]! > bodyLength)
      throw new RangeError(
        `buffer ${i / 2} (offset ${buffers[i]}, length ${buffers[i + 1]}) lies outside the body`,
      );
  }
}

function malformed(e: unknown, file: string, what: string): ArrowReadError {
  if (e instanceof ArrowReadError) return e;
  const detail = e instanceof FlatbufferError || e instanceof RangeError ? e.message : String(e);
  return new ArrowReadError('CORRUPT', `${what} is malformed (${detail})`, {
    file,
    cause: e,
    hint: 'The bytes are damaged or not Arrow IPC: export the file again.',
  });
}
