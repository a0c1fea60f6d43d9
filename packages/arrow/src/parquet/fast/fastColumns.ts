import { type DataType, type Field, Precision, Type } from 'apache-arrow';
import type { SchemaTree } from 'hyparquet/src/types.js';

/** The properties of the Arrow types looked at here. */
type Typed = DataType & { precision?: number; bitWidth?: number; isSigned?: boolean; listSize?: number };

/** A top-level column whose chunks may take the fast path, as its schema says. */
export interface FastColumn {
  readonly name: string;
  /** Its one leaf's index among the row group's column chunks. */
  readonly chunk: number;
  /** The Arrow type both paths give it (from the file's Arrow schema). */
  readonly type: DataType;
  /** How rows are laid out: one value each, lists, or lists of exactly `listSize` values. */
  readonly layout: 'scalar' | 'list' | 'fixed';
  readonly listSize: number;
  readonly valueBytes: 4 | 8;
  readonly maxDefinition: number;
  readonly maxRepetition: number;
}

/**
 * Which top-level columns the fast path can decode, judged by the schema alone (each chunk is
 * still judged by its codec, encodings and levels): one leaf of FLOAT, DOUBLE, INT32 or INT64
 * that the file's Arrow schema types as Float32/Float64/Int32/Int64, alone or as the values of a
 * List or FixedSizeList nested once. Returns, for each other column, why it is not.
 *
 * @example
 * const { columns, reasons } = fastColumns(parquetSchema(metadata), arrowSchema.fields);
 */
export function fastColumns(
  root: SchemaTree,
  fields: readonly Field[],
): { columns: Map<string, FastColumn>; reasons: Map<string, string> } {
  const columns = new Map<string, FastColumn>();
  const reasons = new Map<string, string>();
  let chunk = 0;
  for (const top of root.children) {
    const first = chunk;
    const leaves: { leaf: SchemaTree; def: number; rep: number }[] = [];
    const walk = (node: SchemaTree, def: number, rep: number): void => {
      const r = node.element.repetition_type;
      const d = def + (r === 'OPTIONAL' || r === 'REPEATED' ? 1 : 0);
      const p = rep + (r === 'REPEATED' ? 1 : 0);
      if (node.children.length === 0) leaves.push({ leaf: node, def: d, rep: p });
      for (const c of node.children) walk(c, d, p);
    };
    walk(top, 0, 0);
    chunk += leaves.length;
    const name = top.element.name;
    const field = fields.find((f) => f.name === name);
    const only = leaves.length === 1 ? leaves[0] : undefined;
    if (field === undefined || only === undefined) {
      reasons.set(name, 'nested columns');
      continue;
    }
    const physical = only.leaf.element.type;
    const valueBytes = physical === 'FLOAT' || physical === 'INT32' ? 4 : 8;
    const matches = (t: Typed): boolean =>
      (physical === 'FLOAT' && t.typeId === Type.Float && t.precision === Precision.SINGLE) ||
      (physical === 'DOUBLE' && t.typeId === Type.Float && t.precision === Precision.DOUBLE) ||
      (physical === 'INT32' && t.typeId === Type.Int && t.bitWidth === 32 && t.isSigned === true) ||
      (physical === 'INT64' && t.typeId === Type.Int && t.bitWidth === 64 && t.isSigned === true);
    const type = field.type as Typed;
    let layout: FastColumn['layout'] | undefined;
    let listSize = 0;
    if (only.rep === 0 && matches(type)) layout = 'scalar';
    else if (only.rep === 1 && type.typeId === Type.List && matches(type.children[0]!.type as Typed))
      layout = 'list';
    else if (
      only.rep === 1 &&
      type.typeId === Type.FixedSizeList &&
      matches(type.children[0]!.type as Typed)
    ) {
      layout = 'fixed';
      listSize = type.listSize ?? 0;
    }
    if (layout === undefined || (layout === 'fixed' && listSize <= 0)) {
      reasons.set(name, `${String(type)} (${physical ?? 'group'}) is not a fast-path type`);
      continue;
    }
    columns.set(name, {
      name,
      chunk: first,
      type,
      layout,
      listSize,
      valueBytes,
      maxDefinition: only.def,
      maxRepetition: only.rep,
    });
  }
  return { columns, reasons };
}
