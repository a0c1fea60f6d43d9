import { ArrowReadError, tensorLayout } from '@lossflow/arrow';
import type { GroupKey } from '@lossflow/rx';
import { Field, Int32, makeData, RecordBatch, Schema, Struct } from 'apache-arrow';
import { UsageError } from '../errors/UsageError.js';
import type { DisplayKey } from '../eval/displayKey.js';
import type { PartitionValue } from './hivePartitions.js';

/** The `--by` name that means "the input file". */
export const FILE_KEY = 'file';

type KeyPart =
  | { readonly kind: 'file'; readonly name: string }
  | { readonly kind: 'partition'; readonly name: string; readonly values: readonly PartitionValue[] }
  | { readonly kind: 'column'; readonly name: string };

/** The typed array of a numeric key column, and its validity bits when it has nulls. */
interface KeyValues {
  readonly values: ArrayLike<number | bigint>;
  readonly offset: number;
  readonly valid: Uint8Array | null;
}

/**
 * `--by` keys the loss operators cannot group by alone: several names (`--by run,epoch`), the input
 * file (`--by file`) or a Hive partition key (`--by epoch` for `…/epoch=3/…`). Each batch gets one
 * more column, {@link column}, holding per row the number of its key combination (a 32-bit integer,
 * so the operators group by it as by any column); {@link keyOf} turns that number back into the key
 * the outputs show. Combinations are numbered in the order they first appear, which is the order
 * groups are reported in. Per row it reads the typed arrays of the data's key columns; it looks a
 * combination up once per run of equal keys, not per row.
 */
export class GroupKeys {
  /** The name of the added column (the `--by` text), which the loss operators group by. */
  readonly column: string;
  /** The columns of the data the keys read. */
  readonly dataColumns: readonly string[];
  readonly #parts: readonly KeyPart[];
  readonly #ids = new Map<string, number>();
  readonly #keys: DisplayKey[] = [];
  /** Each combination's values, by number. */
  readonly #values: (GroupKey | null)[][] = [];

  private constructor(by: string, parts: readonly KeyPart[]) {
    this.column = by;
    this.#parts = parts;
    this.dataColumns = parts.filter((p) => p.kind === 'column').map((p) => p.name);
  }

  /**
   * The keys of `--by` over these files, or `undefined` when `--by` names one column of the data,
   * which the loss operators group by themselves (and can in worker threads).
   */
  static of(
    by: string | undefined,
    partitions: ReadonlyMap<string, readonly PartitionValue[]>,
  ): GroupKeys | undefined {
    if (by === undefined) return undefined;
    const names = by
      .split(',')
      .map((s) => s.trim())
      .filter((s) => s !== '');
    const parts: KeyPart[] = names.map((name) => {
      const values = partitions.get(name);
      if (values !== undefined) return { kind: 'partition', name, values };
      return name === FILE_KEY ? { kind: 'file', name } : { kind: 'column', name };
    });
    if (parts.length === 1 && parts[0]!.kind === 'column') return undefined;
    return new GroupKeys(names.join(','), parts);
  }

  /**
   * Refuses data with a column named as a `--by` key that is not read from the data (`file`, a
   * Hive partition key): which of the two the user meant cannot be known, and grouping by the
   * other one silently would give other groups. `schema` is a file's whole schema (before any
   * projection) or a batch's.
   *
   * @throws {UsageError} naming the key, the file and how to resolve it
   */
  checkColumns(schema: Schema, file: string): void {
    for (const p of this.#parts) {
      if (p.kind === 'column' || schema.fields.every((f) => f.name !== p.name)) continue;
      const what =
        p.kind === 'file'
          ? `--by ${FILE_KEY} (one group per input file)`
          : `the Hive partition key '${p.name}' (from the ${p.name}=… folders)`;
      throw new UsageError(
        `--by ${p.name} is ambiguous: ${file} has a column '${p.name}', and ${what} has the same name. Rename the column (or the ${p.kind === 'file' ? 'column' : 'partition folders'}), or group by another key.`,
        'eval',
      );
    }
  }

  /** The Hive partition keys among the keys, each with its value per input file. */
  partitions(): Map<string, readonly PartitionValue[]> {
    const out = new Map<string, readonly PartitionValue[]>();
    for (const p of this.#parts) if (p.kind === 'partition') out.set(p.name, p.values);
    return out;
  }

  /** The key of a combination's number. */
  keyOf(id: GroupKey): DisplayKey {
    return typeof id === 'number' ? (this.#keys[id] ?? id) : id;
  }

  /**
   * The batch with the key column added (replacing a column of that name). `file` is the batch's
   * file (as the outputs name it) and `fileIndex` its place among the inputs.
   *
   * @throws {ArrowReadError} `BAD_COLUMN_TYPE` for a key column that does not hold numbers
   * @throws {UsageError} for a column named as a key not read from the data (see {@link checkColumns})
   */
  decorate(batch: RecordBatch, file: string, fileIndex: number): RecordBatch {
    const n = batch.numRows;
    this.checkColumns(batch.schema, file);
    const fixed: (GroupKey | undefined)[] = this.#parts.map((p) =>
      p.kind === 'file' ? file : p.kind === 'partition' ? p.values[fileIndex] : undefined,
    );
    const columns = this.#parts.map((p) =>
      p.kind === 'column' ? keyValues(batch, p.name, file) : undefined,
    );
    const ids = new Int32Array(n);
    const current: (GroupKey | null)[] = fixed.map((v) => v ?? null);
    let id = -1;
    for (let row = 0; row < n; row++) {
      let changed = id === -1;
      for (let p = 0; p < columns.length; p++) {
        const c = columns[p];
        if (c === undefined) continue;
        const v = valueAt(c, row);
        if (!Object.is(v, current[p])) {
          current[p] = v;
          changed = true;
        }
      }
      if (changed) id = this.#idOf(current);
      ids[row] = id;
    }
    const field = new Field(this.column, new Int32(), false);
    const keep = batch.schema.fields.map((f, i) => [f, i] as const).filter(([f]) => f.name !== this.column);
    const fields = [...keep.map(([f]) => f), field];
    const children = [
      ...keep.map(([, i]) => batch.data.children[i]!),
      makeData({ type: new Int32(), length: n, nullCount: 0, data: ids }),
    ];
    return new RecordBatch(
      new Schema(fields, batch.schema.metadata),
      makeData({ type: new Struct(fields), length: n, nullCount: 0, children }),
    );
  }

  /**
   * The values of combination `id` as text that {@link idOfText} turns back into a combination
   * (of another `GroupKeys` of the same `--by`): how a distributed run's worker, which numbers the
   * keys of its own files, tells its coordinator which key a group is. Numbers JSON cannot carry
   * (NaN, ±Infinity, -0) are tagged.
   */
  valuesText(id: GroupKey): string {
    const values = typeof id === 'number' ? this.#values[id] : undefined;
    if (values === undefined) throw new Error(`no key combination ${String(id)}`);
    return JSON.stringify(
      values.map((v) =>
        typeof v === 'number' && !isJsonNumber(v) ? { n: Object.is(v, -0) ? '-0' : String(v) } : v,
      ),
    );
  }

  /**
   * The number of the combination whose values {@link valuesText} gave, numbered now when it is
   * new: called in the order the data has the keys, it numbers them as {@link decorate} would.
   */
  idOfText(text: string): number {
    const parsed = JSON.parse(text) as (GroupKey | null | { n: string })[];
    return this.#idOf(parsed.map((v) => (typeof v === 'object' && v !== null ? Number(v.n) : v)));
  }

  #idOf(values: readonly (GroupKey | null)[]): number {
    const text = JSON.stringify(values);
    let id = this.#ids.get(text);
    if (id === undefined) {
      id = this.#keys.length;
      this.#ids.set(text, id);
      this.#values.push([...values]);
      const parts = this.#parts;
      this.#keys.push(
        parts.length === 1
          ? (values[0] ?? 'null')
          : Object.fromEntries(parts.map((p, i) => [p.name, values[i] ?? 'null'])),
      );
    }
    return id;
  }
}

/** Whether JSON's number text carries `v` exactly (not NaN, ±Infinity or -0). */
function isJsonNumber(v: number): boolean {
  return Number.isFinite(v) && !Object.is(v, -0);
}

function keyValues(batch: RecordBatch, name: string, file: string): KeyValues {
  const vector = batch.getChild(name);
  if (vector === null) {
    throw new ArrowReadError('MISSING_COLUMN', `no column '${name}' for --by`, {
      file,
      column: name,
      hint: `Pass --by names of columns, of Hive partition keys (name=value folders) or ${FILE_KEY}.`,
    });
  }
  const field = batch.schema.fields.find((f) => f.name === name)!;
  // The very type rule of a single --by column (which the loss operators read as a tensor), so
  // several keys accept and refuse the same columns: a Dictionary's indices or a Decimal's words
  // are not its values.
  const layout = tensorLayout(field);
  if (!layout.usable) {
    throw new ArrowReadError(layout.code, `${layout.reason} (type ${String(field.type)})`, {
      file,
      column: name,
      hint: layout.hint,
    });
  }
  const data = vector.data[0]!;
  const values = data.values as unknown;
  if (layout.rowShape.length !== 0 || !ArrayBuffer.isView(values) || values instanceof DataView) {
    throw new ArrowReadError(
      'BAD_COLUMN_TYPE',
      `the --by column '${name}' (${String(data.type)}) does not hold a number per row`,
      {
        file,
        column: name,
        hint: 'Group by an integer column (or a Hive partition key, which may hold text).',
      },
    );
  }
  return {
    values: values as unknown as ArrayLike<number | bigint>,
    offset: data.offset,
    valid: data.nullCount > 0 ? (data.nullBitmap ?? null) : null,
  };
}

function valueAt(c: KeyValues, row: number): GroupKey | null {
  const i = c.offset + row;
  if (c.valid !== null && ((c.valid[i >> 3]! >> (i & 7)) & 1) === 0) return null;
  const v = c.values[i]!;
  if (typeof v === 'bigint') return v >= -(2n ** 53n) && v <= 2n ** 53n ? Number(v) : v.toString();
  return v;
}
