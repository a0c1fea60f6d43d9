import { DataType, type Field, Precision } from 'apache-arrow';

/** Element types a column can hold to become a tensor, named as numpy and torch name them. */
export type ElementType =
  | 'float32'
  | 'float64'
  | 'int8'
  | 'int16'
  | 'int32'
  | 'int64'
  | 'uint8'
  | 'uint16'
  | 'uint32';

/** How a column's values lie in memory when it can become a tensor. */
export interface TensorLayout {
  readonly usable: true;
  readonly dtype: ElementType;
  /** Per-row shape; `-1` stands for the length of a variable-length list, known only per batch. */
  readonly rowShape: readonly number[];
  /** The top-level variable-length list, if any (`List` or `LargeList`, as Parquet writers produce). */
  readonly list: 'list' | 'largeList' | undefined;
  /** Sizes of the fixed-size list levels, outermost first (below the variable list, if there is one). */
  readonly fixed: readonly number[];
}

/** Why a column cannot become a tensor. */
export interface UnusableLayout {
  readonly usable: false;
  readonly code: 'BAD_COLUMN_TYPE' | 'UNSUPPORTED';
  readonly reason: string;
  readonly hint: string;
}

const EXTENSION_NAME = 'ARROW:extension:name';
const EXTENSION_METADATA = 'ARROW:extension:metadata';
const CAST_HINT =
  'Cast the column to float32/float64 (inputs) or an integer type (targets) when writing the log.';

/**
 * How a field's values map to a `(rows, …)` tensor, or why they cannot: a float or integer
 * column, fixed-size lists of them (nested for more dimensions), the canonical
 * `arrow.fixed_shape_tensor` extension, or one variable-length list of any of these (whose rows
 * must then all have the same length).
 *
 * @example
 * tensorLayout(new Field('logits', new FixedSizeList(10, new Field('item', new Float32()))));
 * // { usable: true, dtype: 'float32', rowShape: [10], list: undefined, fixed: [10] }
 */
export function tensorLayout(field: Field): TensorLayout | UnusableLayout {
  const extension = field.metadata.get(EXTENSION_NAME);
  if (extension === 'arrow.fixed_shape_tensor') return fixedShapeTensorLayout(field);
  let type: DataType = field.type;
  let list: TensorLayout['list'];
  if (DataType.isList(type) || DataType.isLargeList(type)) {
    list = DataType.isList(type) ? 'list' : 'largeList';
    type = type.children[0]!.type;
  }
  const fixed: number[] = [];
  while (DataType.isFixedSizeList(type)) {
    fixed.push(type.listSize);
    type = type.children[0]!.type;
  }
  if (DataType.isList(type) || DataType.isLargeList(type)) {
    return unusable(
      'UNSUPPORTED',
      `${String(field.type)} nests variable-length lists, which do not form a tensor`,
      'Write fixed-size lists (FixedSizeList, or arrow.fixed_shape_tensor) for multi-dimensional rows.',
    );
  }
  const dtype = elementType(type);
  if (typeof dtype !== 'string') return dtype;
  return { usable: true, dtype, rowShape: list === undefined ? fixed : [-1, ...fixed], list, fixed };
}

function fixedShapeTensorLayout(field: Field): TensorLayout | UnusableLayout {
  const hint = 'Write the extension metadata as {"shape": [d1, …]} over a FixedSizeList of their product.';
  let meta: { shape?: unknown; permutation?: unknown };
  try {
    meta = JSON.parse(field.metadata.get(EXTENSION_METADATA) ?? '{}') as typeof meta;
  } catch {
    return unusable('BAD_COLUMN_TYPE', 'arrow.fixed_shape_tensor metadata is not JSON', hint);
  }
  const shape = meta.shape;
  if (!Array.isArray(shape) || !shape.every((d) => Number.isInteger(d) && d >= 0)) {
    return unusable('BAD_COLUMN_TYPE', 'arrow.fixed_shape_tensor metadata has no valid "shape"', hint);
  }
  const type = field.type;
  if (!DataType.isFixedSizeList(type)) {
    return unusable(
      'BAD_COLUMN_TYPE',
      `arrow.fixed_shape_tensor is stored as ${String(type)}, not a FixedSizeList`,
      hint,
    );
  }
  const size = (shape as number[]).reduce((a, b) => a * b, 1);
  if (type.listSize !== size) {
    return unusable(
      'BAD_COLUMN_TYPE',
      `arrow.fixed_shape_tensor of shape [${shape.join(', ')}] is stored in lists of ${type.listSize} values, not ${size}`,
      hint,
    );
  }
  const permutation = meta.permutation;
  if (permutation !== undefined && permutation !== null) {
    const identity = Array.isArray(permutation) && permutation.every((p, i) => p === i);
    if (!identity || (permutation as unknown[]).length !== shape.length) {
      return unusable(
        'UNSUPPORTED',
        `arrow.fixed_shape_tensor with permutation ${JSON.stringify(permutation)} is not supported (only the identity is)`,
        'Write the tensors in row-major order of their logical shape (no permutation).',
      );
    }
  }
  const dtype = elementType(type.children[0]!.type);
  if (typeof dtype !== 'string') return dtype;
  return { usable: true, dtype, rowShape: shape as number[], list: undefined, fixed: [size] };
}

function elementType(type: DataType): ElementType | UnusableLayout {
  if (DataType.isFloat(type)) {
    if (type.precision === Precision.SINGLE) return 'float32';
    if (type.precision === Precision.DOUBLE) return 'float64';
    if (type.precision === Precision.HALF)
      return unusable('BAD_COLUMN_TYPE', 'Float16 values cannot become a tensor here', CAST_HINT);
  }
  // Widths outside Arrow's (a schema built by hand, not read: the IPC decoder refuses those as
  // CORRUPT) fall through to the generic refusal rather than name a typed array that does not exist.
  if (DataType.isInt(type) && [8, 16, 32, 64].includes(type.bitWidth)) {
    const bits = type.bitWidth;
    if (type.isSigned) return `int${bits}` as ElementType;
    if (bits <= 32) return `uint${bits}` as ElementType;
    return unusable(
      'BAD_COLUMN_TYPE',
      'UInt64 values cannot become a tensor here',
      'Cast the column to Int64.',
    );
  }
  return unusable('BAD_COLUMN_TYPE', `${String(type)} values cannot become a tensor`, CAST_HINT);
}

function unusable(code: UnusableLayout['code'], reason: string, hint: string): UnusableLayout {
  return { usable: false, code, reason, hint };
}
