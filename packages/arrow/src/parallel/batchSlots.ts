import { ArrowReadError } from '../errors/ArrowReadError.js';
import { METADATA_V5, TypeId } from '../ipc/arrowTypeIds.js';
import type { IpcField } from '../ipc/ipcMetadata.js';

/**
 * Where one level of a tensor column sits among a record batch's field nodes and buffers: a
 * variable-length list (validity, offsets), a fixed-size list (validity), or the leaf values
 * (validity, data). A tensor column is an optional list, then fixed-size lists, then the leaf.
 */
export interface LevelSlots {
  readonly kind: 'list' | 'largeList' | 'fixed' | 'leaf';
  readonly node: number;
  readonly validity: number;
  /** Lists: the offsets buffer. */
  readonly offsets: number;
  /** The leaf: the values buffer. */
  readonly data: number;
}

/** The levels of each top-level column (by name), and the node and buffer counts a batch must have. */
export interface BatchSlots {
  readonly columns: ReadonlyMap<string, readonly LevelSlots[]>;
  readonly nodes: number;
  readonly buffers: number;
}

const {
  NULL,
  INT,
  FLOAT,
  BINARY,
  UTF8,
  BOOL,
  DECIMAL,
  DATE,
  TIME,
  TIMESTAMP,
  INTERVAL,
  LIST,
  STRUCT,
  UNION,
  FIXED_SIZE_BINARY,
  FIXED_SIZE_LIST,
  MAP,
  DURATION,
  LARGE_BINARY,
  LARGE_UTF8,
  LARGE_LIST,
  BINARY_VIEW,
  UTF8_VIEW,
  LIST_VIEW,
  LARGE_LIST_VIEW,
} = TypeId;
const V5 = METADATA_V5;

/**
 * Walks a schema's fields in the depth-first order of a record batch's field nodes and buffers,
 * counting each type's buffers as the Arrow IPC format (and apache-arrow's reader) lays them out,
 * and returns where the levels of the `wanted` columns are. View types take their variadic buffer
 * counts from the batch, so the result is per batch when a schema has them.
 *
 * @throws {ArrowReadError} `UNSUPPORTED` for a type whose buffers cannot be counted here.
 * @example
 * const { columns } = batchSlots(fields, 4, [], ['logits', 'target']);
 */
export function batchSlots(
  fields: readonly IpcField[],
  version: number,
  variadicCounts: readonly number[],
  wanted: readonly string[],
): BatchSlots {
  let node = 0;
  let buffer = 0;
  let variadic = 0;
  const visit = (f: IpcField): void => {
    node++;
    if (f.dictionary) {
      buffer += 2;
      return;
    }
    switch (f.type) {
      case NULL:
        break;
      case INT:
      case FLOAT:
      case BOOL:
      case DECIMAL:
      case DATE:
      case TIME:
      case TIMESTAMP:
      case INTERVAL:
      case FIXED_SIZE_BINARY:
      case DURATION:
        buffer += 2;
        break;
      case BINARY:
      case UTF8:
      case LARGE_BINARY:
      case LARGE_UTF8:
        buffer += 3;
        break;
      case BINARY_VIEW:
      case UTF8_VIEW:
        buffer += 2 + (variadicCounts[variadic++] ?? 0);
        break;
      case LIST:
      case LARGE_LIST:
      case MAP:
        buffer += 2;
        break;
      case LIST_VIEW:
      case LARGE_LIST_VIEW:
        buffer += 3;
        break;
      case STRUCT:
      case FIXED_SIZE_LIST:
        buffer += 1;
        break;
      case UNION:
        // Sparse: type ids; dense: type ids and offsets; before V5 also a validity bitmap.
        buffer += (f.unionMode === 1 ? 2 : 1) + (version < V5 ? 1 : 0);
        break;
      default:
        throw new ArrowReadError(
          'UNSUPPORTED',
          `column '${f.name}' has an Arrow type (tag ${f.type}) this reader cannot lay out`,
          {
            column: f.name,
            hint: 'Read the file without threads, or write the column with a common type.',
          },
        );
    }
    for (const c of f.children) visit(c);
  };
  const columns = new Map<string, readonly LevelSlots[]>();
  for (const f of fields) {
    if (wanted.includes(f.name) && !columns.has(f.name)) {
      const levels = tensorLevels(f, node, buffer);
      if (levels !== undefined) columns.set(f.name, levels);
    }
    visit(f);
  }
  return { columns, nodes: node, buffers: buffer };
}

/** The levels of a column laid out as a tensor (see `tensorLayout`), or `undefined` when it is not one. */
function tensorLevels(f: IpcField, node: number, buffer: number): LevelSlots[] | undefined {
  if (f.dictionary) return undefined;
  if (f.type === LIST || f.type === LARGE_LIST) {
    const child = f.children[0];
    const below = child === undefined ? undefined : fixedLevels(child, node + 1, buffer + 2);
    if (below === undefined) return undefined;
    const kind = f.type === LIST ? 'list' : 'largeList';
    return [{ kind, node, validity: buffer, offsets: buffer + 1, data: -1 }, ...below];
  }
  return fixedLevels(f, node, buffer);
}

function fixedLevels(f: IpcField, node: number, buffer: number): LevelSlots[] | undefined {
  if (f.dictionary) return undefined;
  if (f.type === INT || f.type === FLOAT) {
    return [{ kind: 'leaf', node, validity: buffer, offsets: -1, data: buffer + 1 }];
  }
  if (f.type !== FIXED_SIZE_LIST) return undefined;
  const child = f.children[0];
  const below = child === undefined ? undefined : fixedLevels(child, node + 1, buffer + 1);
  return below === undefined
    ? undefined
    : [{ kind: 'fixed', node, validity: buffer, offsets: -1, data: -1 }, ...below];
}
