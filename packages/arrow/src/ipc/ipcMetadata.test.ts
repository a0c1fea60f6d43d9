import {
  Field as ArrowField,
  type DataType,
  Dictionary,
  Float16,
  Float32,
  Float64,
  Int8,
  Int16,
  Int32,
  Int64,
  makeData,
  RecordBatch,
  RecordBatchFileWriter,
  RecordBatchStreamWriter,
  Schema,
  Struct,
  Table,
  TimestampMicrosecond,
  TimestampMillisecond,
  tableFromArrays,
  tableToIPC,
  Utf8,
  vectorFromArray,
} from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { HeaderType, TypeId } from './arrowTypeIds.js';
import { decodeFooter, decodeMessage, FlatbufferError, messageMetadata } from './ipcMetadata.js';

/** The metadata flatbuffers of a stream's messages, in order. */
function metadataOf(stream: Uint8Array): Uint8Array[] {
  const view = new DataView(stream.buffer, stream.byteOffset, stream.byteLength);
  const out: Uint8Array[] = [];
  let at = 0;
  for (;;) {
    const length = view.getInt32(at + 4, true);
    if (length === 0) return out;
    const metadata = stream.subarray(at + 8, at + 8 + length);
    out.push(metadata);
    at += 8 + length + decodeMessage(metadata).bodyLength;
  }
}

describe('decodeMessage', () => {
  it('decodes a schema, a dictionary batch and a record batch into plain objects', () => {
    const labels = vectorFromArray(['a', 'b', 'a'], new Dictionary(new Utf8(), new Int32()));
    const table = new Table({
      loss: vectorFromArray([0.5, 1.5, 2.5], new Float32()),
      label: labels,
    });
    const stream = tableToIPC(table, 'stream');
    const [schema, dictionary, batch] = metadataOf(stream).map(decodeMessage);
    expect(schema).toMatchObject({ headerType: HeaderType.SCHEMA, batch: undefined });
    expect(schema!.fields).toEqual([
      { name: 'loss', type: TypeId.FLOAT, dictionary: false, unionMode: 0, children: [] },
      { name: 'label', type: TypeId.UTF8, dictionary: true, unionMode: 0, children: [] },
    ]);
    expect(dictionary).toMatchObject({
      headerType: HeaderType.DICTIONARY_BATCH,
      dictionaryBatch: { isDelta: false, data: { rows: 2 } },
    });
    expect(batch).toMatchObject({
      headerType: HeaderType.RECORD_BATCH,
      batch: { rows: 3, compressed: false },
    });
    // Two columns: float (validity, values) and dictionary indices (validity, values).
    expect(Array.from(batch!.batch!.nodes)).toEqual([3, 0, 3, 0]);
    expect(batch!.batch!.buffers.length).toBe(8);
  });

  it('decodes nested fields depth first', () => {
    const point = new Struct([new ArrowField('x', new Float32()), new ArrowField('y', new Float32())]);
    const data = makeData({
      type: point,
      length: 1,
      children: [
        makeData({ type: new Float32(), length: 1, data: new Float32Array([1]) }),
        makeData({ type: new Float32(), length: 1, data: new Float32Array([2]) }),
      ],
    });
    const schema = new Schema([new ArrowField('point', point)]);
    const batch = new RecordBatch(
      schema,
      makeData({ type: new Struct(schema.fields), length: 1, children: [data] }),
    );
    const stream = RecordBatchStreamWriter.writeAll([batch]).toUint8Array(true);
    const [first] = metadataOf(stream).map(decodeMessage);
    expect(first!.fields![0]).toMatchObject({
      name: 'point',
      type: TypeId.STRUCT,
      children: [
        { name: 'x', type: TypeId.FLOAT },
        { name: 'y', type: TypeId.FLOAT },
      ],
    });
  });

  it('checks bounds as it decodes: a vector length past the bytes is a FlatbufferError', () => {
    const stream = tableToIPC(tableFromArrays({ loss: new Float32Array([1, 2]) }), 'stream');
    const metadata = metadataOf(stream)[0]!.slice();
    // Every 4-byte word set to a huge count, one at a time: each fails with a typed error or decodes.
    let refused = 0;
    for (let at = 0; at + 4 <= metadata.length; at += 4) {
      const damaged = metadata.slice();
      new DataView(damaged.buffer).setUint32(at, 0x7fff_ffff, true);
      try {
        decodeMessage(damaged);
      } catch (e) {
        expect(e).toBeInstanceOf(FlatbufferError);
        refused++;
      }
    }
    expect(refused).toBeGreaterThan(0);
  });

  it('messageMetadata names the file and the damage, and checks buffers against the body when asked', () => {
    const stream = tableToIPC(tableFromArrays({ loss: new Float32Array([1, 2]) }), 'stream');
    const [, batch] = metadataOf(stream);
    const damaged = batch!.slice();
    // The body length field (int64) set to 0: every non-empty buffer now lies outside the body.
    const decoded = decodeMessage(damaged);
    const view = new DataView(damaged.buffer);
    let patched = false;
    for (let at = 0; at + 8 <= damaged.length && !patched; at += 4) {
      if (Number(view.getBigInt64(at, true)) === decoded.bodyLength) {
        view.setBigInt64(at, 0n, true);
        patched = decodeMessage(damaged).bodyLength === 0;
        if (!patched) view.setBigInt64(at, BigInt(decoded.bodyLength), true);
      }
    }
    expect(patched).toBe(true);
    expect(() => messageMetadata(damaged, 'log.arrows')).not.toThrow();
    expect(() => messageMetadata(damaged, 'log.arrows', { checkLengths: true })).toThrow(
      expect.objectContaining({
        code: 'CORRUPT',
        file: 'log.arrows',
        detail: expect.stringMatching(
          /^a message's metadata is malformed \(buffer \d+ .* lies outside the body\)$/,
        ),
      }),
    );
  });
});

/**
 * The schema message of a one-column stream, with the byte where `a` and `b` (types of the same
 * layout, differing in one parameter) differ set to `value`.
 */
function schemaWithParameter(a: DataType, b: DataType, value: number): Uint8Array {
  const schemaOf = (type: DataType) =>
    metadataOf(
      RecordBatchStreamWriter.writeAll(new Table(new Schema([new ArrowField('x', type)]))).toUint8Array(true),
    )[0]!;
  const [left, right] = [schemaOf(a), schemaOf(b)];
  expect(left.length).toBe(right.length);
  const at = left.findIndex((byte, i) => byte !== right[i]);
  expect(at).toBeGreaterThan(0);
  const damaged = left.slice();
  damaged[at] = value;
  return damaged;
}

describe('type parameters', () => {
  it.each([
    ['an Int bit width of 191', new Int32(), new Int16(), 191, /type INT with bit width 191/],
    ['a FloatingPoint precision of 32', new Float32(), new Float64(), 32, /type FLOAT with precision 32/],
    [
      'a Timestamp unit of 9',
      new TimestampMillisecond(),
      new TimestampMicrosecond(),
      9,
      /type TIMESTAMP with unit 9/,
    ],
  ] as const)('%s, outside the enum Schema.fbs allows, is a FlatbufferError', (_, a, b, value, message) => {
    const metadata = schemaWithParameter(a, b, value);
    expect(() => decodeMessage(metadata)).toThrow(FlatbufferError);
    expect(() => decodeMessage(metadata)).toThrow(message);
    expect(() => messageMetadata(metadata, 'log.arrows')).toThrow(
      expect.objectContaining({ code: 'CORRUPT', file: 'log.arrows' }),
    );
  });

  it('accepts every width and precision Schema.fbs allows', () => {
    for (const type of [
      new Int8(),
      new Int16(),
      new Int32(),
      new Int64(),
      new Float16(),
      new Float32(),
      new Float64(),
    ]) {
      const stream = RecordBatchStreamWriter.writeAll(
        new Table(new Schema([new ArrowField('x', type)])),
      ).toUint8Array(true);
      expect(decodeMessage(metadataOf(stream)[0]!).fields).toHaveLength(1);
    }
  });
});

describe('decodeFooter', () => {
  it("decodes an IPC file's schema and blocks", () => {
    const table = tableFromArrays({ loss: new Float32Array([1, 2, 3]) });
    const writer = new RecordBatchFileWriter();
    writer.write(table.batches[0]!);
    writer.write(table.batches[0]!);
    const file = writer.finish().toUint8Array(true);
    const footerLength = new DataView(file.buffer, file.byteOffset).getInt32(file.length - 10, true);
    const footer = decodeFooter(file.subarray(file.length - 10 - footerLength, file.length - 10));
    expect(footer.fields).toEqual([
      { name: 'loss', type: TypeId.FLOAT, dictionary: false, unionMode: 0, children: [] },
    ]);
    expect(footer.dictionaries).toEqual([]);
    expect(footer.recordBatches).toHaveLength(2);
    for (const block of footer.recordBatches) {
      expect(new DataView(file.buffer, file.byteOffset).getInt32(block.offset, true)).toBe(-1);
    }
  });
});
