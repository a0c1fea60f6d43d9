import { open, stat } from 'node:fs/promises';
import { type Data, type Table, Type, tableFromIPC } from 'apache-arrow';
import { openParquetFile, type ParquetFile, type ParquetFileOptions } from '../parquet/parquetFile.js';
import { readAtFd } from '../parquet/readAtFd.js';

/**
 * Runs `body` with the Parquet file at `path` open twice: with the fast path (with `options`) and
 * with parquet-wasm only.
 */
export async function withBothPaths<T>(
  path: string,
  body: (fast: ParquetFile, general: ParquetFile) => Promise<T>,
  options: ParquetFileOptions = {},
): Promise<T> {
  const { size } = await stat(path);
  const handle = await open(path, 'r');
  try {
    const fast = await openParquetFile(readAtFd(handle.fd), size, undefined, options);
    const general = await openParquetFile(readAtFd(handle.fd), size, undefined, { fastPath: false });
    return await body(fast, general);
  } finally {
    await handle.close();
  }
}

/**
 * Every row group of the file read both ways (all columns, `batchSize`, `limit`), checked to be
 * the same batches with the same types and bit-identical values. Returns the rows read.
 */
export async function expectSameBothWays(
  path: string,
  batchSize: number,
  limit?: number,
  columns?: readonly string[],
): Promise<number> {
  return withBothPaths(path, async (fast, general) => {
    let rows = 0;
    for (let g = 0; g < fast.meta.rowGroups.length; g++) {
      const a = tableFromIPC(await fast.read(g, columns, batchSize, limit));
      const b = tableFromIPC(await general.read(g, columns, batchSize, limit));
      expectSameTables(a, b);
      rows += a.numRows;
    }
    return rows;
  });
}

/** Throws unless `a` and `b` have the same fields, batch sizes and bit-identical values. */
export function expectSameTables(a: Table, b: Table): void {
  const fields = (t: Table) => t.schema.fields.map((f) => `${f.name}:${String(f.type)}`).join(',');
  if (fields(a) !== fields(b)) throw new Error(`fields differ: ${fields(a)} vs ${fields(b)}`);
  const sizes = (t: Table) => t.batches.map((x) => x.numRows).join(',');
  if (sizes(a) !== sizes(b)) throw new Error(`batches differ: ${sizes(a)} vs ${sizes(b)}`);
  a.batches.forEach((batch, k) => {
    batch.data.children.forEach((data, c) => {
      const x = dump(data as Data);
      const y = dump(b.batches[k]!.data.children[c] as Data);
      if (x.length !== y.length || !x.every((v, i) => v === y[i]))
        throw new Error(`column ${a.schema.fields[c]!.name} of batch ${k} differs`);
    });
  });
}

/** A column's rows as bytes: null count, rebased offsets, then the values, so equal bytes mean equal rows. */
function dump(data: Data): number[] {
  const out: number[] = [data.nullCount];
  const bytes = (d: Data, from: number, to: number): void => {
    const values = d.values as ArrayLike<number> & ArrayBufferView & { BYTES_PER_ELEMENT: number };
    const width = values.BYTES_PER_ELEMENT * ((d.type as { stride?: number }).stride ?? 1);
    const view = new Uint8Array(
      values.buffer,
      values.byteOffset + (d.offset + from) * width,
      (to - from) * width,
    );
    for (let i = 0; i < view.length; i++) out.push(view[i]!);
  };
  if (data.typeId === Type.List) {
    const offsets = data.valueOffsets;
    const base = offsets[data.offset]!;
    for (let i = 0; i <= data.length; i++) out.push(offsets[data.offset + i]! - base);
    bytes(data.children[0]!, base, offsets[data.offset + data.length]!);
  } else if (data.typeId === Type.FixedSizeList) {
    const n = (data.type as unknown as { listSize: number }).listSize;
    bytes(data.children[0]!, data.offset * n, (data.offset + data.length) * n);
  } else bytes(data, 0, data.length);
  return out;
}
