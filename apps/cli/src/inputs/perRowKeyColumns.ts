import { Field, Int64, makeData, RecordBatch, Schema, Struct, Utf8 } from 'apache-arrow';
import { UsageError } from '../errors/UsageError.js';
import { FILE_KEY } from './groupKeys.js';
import type { PartitionValue } from './hivePartitions.js';

/** Prefix of the columns added while reading: no column of the data is named so. */
const INTERNAL = '\u0000lossflow-key:';

/**
 * The `--per-row` `--keys` that are not columns of the data: Hive partition keys (`run` for
 * `…/run=a/…`) and `file` (the input file). Each batch gets, under an internal name, one column per
 * such key holding its file's value on every row (an integer partition as Int64, text and the file
 * as Utf8, as the table shows them), which the per-row output copies like any key column and
 * {@link rename} then names after the key.
 */
export class PerRowKeyColumns {
  /** The `--keys` in their order, those added here under their internal name: what per-row output copies. */
  readonly keys: readonly string[];
  readonly #virtual: readonly string[];
  readonly #partitions: ReadonlyMap<string, readonly PartitionValue[]>;
  /** Per virtual key, per file index, the column of the last batch length asked (reused while equal). */
  readonly #cache = new Map<
    string,
    { fileIndex: number; length: number; data: ReturnType<typeof makeData> }
  >();

  private constructor(
    keys: readonly string[],
    virtual: readonly string[],
    partitions: ReadonlyMap<string, readonly PartitionValue[]>,
  ) {
    this.#virtual = virtual;
    this.#partitions = partitions;
    this.keys = keys.map((k) => (virtual.includes(k) ? INTERNAL + k : k));
  }

  /** The virtual keys among `keys`, or `undefined` when every key is a column of the data. */
  static of(
    keys: readonly string[],
    partitions: ReadonlyMap<string, readonly PartitionValue[]>,
  ): PerRowKeyColumns | undefined {
    const virtual = keys.filter((k) => partitions.has(k) || k === FILE_KEY);
    return virtual.length === 0 ? undefined : new PerRowKeyColumns(keys, virtual, partitions);
  }

  /** The keys that are columns of the data (to read). */
  get dataKeys(): string[] {
    return this.keys.filter((k) => !k.startsWith(INTERNAL));
  }

  /**
   * Refuses data with a column named as a virtual key: which one `--keys` means cannot be known.
   *
   * @throws {UsageError} naming the key and the file
   */
  checkColumns(schema: Schema, file: string): void {
    for (const k of this.#virtual) {
      if (schema.fields.every((f) => f.name !== k)) continue;
      const what =
        k === FILE_KEY ? 'the input file' : `the Hive partition key '${k}' (from the ${k}=… folders)`;
      throw new UsageError(
        `--keys ${k} is ambiguous: ${file} has a column '${k}', and ${what} has the same name. Rename the column (or the ${k === FILE_KEY ? 'column' : 'partition folders'}), or pass other --keys.`,
        'eval',
      );
    }
  }

  /** The batch with a column per virtual key (under its internal name) holding the file's value. */
  decorate(batch: RecordBatch, file: string, fileIndex: number): RecordBatch {
    const n = batch.numRows;
    const fields = [...batch.schema.fields];
    const children = [...batch.data.children];
    for (const k of this.#virtual) {
      const value = k === FILE_KEY ? file : this.#partitions.get(k)![fileIndex]!;
      const data = this.#column(k, fileIndex, n, value);
      fields.push(new Field(INTERNAL + k, data.type, false));
      children.push(data);
    }
    return new RecordBatch(
      new Schema(fields, batch.schema.metadata),
      makeData({ type: new Struct(fields), length: n, nullCount: 0, children }),
    );
  }

  /** A per-row output batch with the internal columns named after their keys. */
  rename(batch: RecordBatch): RecordBatch {
    const fields = batch.schema.fields.map((f) =>
      f.name.startsWith(INTERNAL)
        ? new Field(f.name.slice(INTERNAL.length), f.type, f.nullable, f.metadata)
        : f,
    );
    return new RecordBatch(
      new Schema(fields, batch.schema.metadata),
      makeData({
        type: new Struct(fields),
        length: batch.numRows,
        nullCount: 0,
        children: batch.data.children,
      }),
    );
  }

  #column(key: string, fileIndex: number, n: number, value: PartitionValue) {
    const cached = this.#cache.get(key);
    if (cached !== undefined && cached.fileIndex === fileIndex && cached.length === n) return cached.data;
    const data =
      typeof value === 'number' && Number.isInteger(value)
        ? makeData({
            type: new Int64(),
            length: n,
            nullCount: 0,
            data: new BigInt64Array(n).fill(BigInt(value)),
          })
        : utf8Column(String(value), n);
    this.#cache.set(key, { fileIndex, length: n, data });
    return data;
  }
}

/** `n` rows of `text`. */
function utf8Column(text: string, n: number) {
  const bytes = new TextEncoder().encode(text);
  const valueOffsets = new Int32Array(n + 1);
  const data = new Uint8Array(bytes.length * n);
  for (let i = 0; i < n; i++) {
    data.set(bytes, i * bytes.length);
    valueOffsets[i + 1] = (i + 1) * bytes.length;
  }
  return makeData({ type: new Utf8(), length: n, nullCount: 0, valueOffsets, data });
}
