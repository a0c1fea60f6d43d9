import { closeSync, fstatSync, openSync } from 'node:fs';
import { tableFromIPC } from 'apache-arrow';
import { parquetHeader } from 'hyparquet/src/column.js';
import { parquetMetadata } from 'hyparquet/src/metadata.js';
import { ArrowReadError } from '../errors/ArrowReadError.js';
import { openParquetFile } from './parquetFile.js';
import type { ReadAt } from './ReadAt.js';
import { readAtFd } from './readAtFd.js';

/** The memory budget streaming aims to stay under (bytes): a page larger than this alone cannot. */
export const PAGE_MEMORY_BUDGET = 300_000_000;

/** One column chunk of a Parquet file: how it is stored and which decoder reads it. */
export interface ParquetChunkInfo {
  readonly rowGroup: number;
  /** The top-level column it belongs to. */
  readonly column: string;
  /** The chunk's codec as the footer names it: `SNAPPY`, `ZSTD`, `UNCOMPRESSED`, `GZIP`, … */
  readonly codec: string;
  /** `fast`: the page-level fast path; `fallback`: parquet-wasm (see `reason`). */
  readonly decoder: 'fast' | 'fallback';
  /** Why it falls back (`codec GZIP`, `nulls in list`, `DELTA_BINARY_PACKED`, …), null on the fast path. */
  readonly reason: string | null;
  /** Pages in the chunk, dictionary pages included. */
  readonly pages: number;
  /** Uncompressed bytes of its largest page. */
  readonly largestPage: number;
}

/** What {@link parquetChunkReport} finds. */
export interface ParquetChunkReport {
  /** The memory budget the pages were judged against (bytes). */
  readonly memoryBudget: number;
  readonly chunks: readonly ParquetChunkInfo[];
  /** One line per column chunk holding a page larger than the budget. */
  readonly warnings: readonly string[];
}

/** Options of {@link parquetChunkReport}. */
export interface ParquetChunkReportOptions {
  /** Bytes a page may hold before it is warned about (default {@link PAGE_MEMORY_BUDGET}). */
  readonly memoryBudget?: number;
}

/**
 * Every column chunk of the Parquet file at `path`: its codec, the decoder that reads it (the fast
 * path or parquet-wasm, and why), its pages and its largest page, with a warning for each chunk
 * that has a page larger than the memory budget (such a page cannot be streamed under it). Reads
 * the footer and the page headers only, never the values.
 *
 * @example
 * const { chunks, warnings } = await parquetChunkReport('preds.parquet');
 * @throws {ArrowReadError} `CORRUPT` when a page header does not parse or runs past its chunk
 */
export async function parquetChunkReport(
  path: string,
  options: ParquetChunkReportOptions = {},
): Promise<ParquetChunkReport> {
  const budget = options.memoryBudget ?? PAGE_MEMORY_BUDGET;
  const fd = openSync(path, 'r');
  try {
    const size = fstatSync(fd).size;
    const readAt = readAtFd(fd);
    const file = await openParquetFile(readAt, size);
    const names = tableFromIPC(file.meta.schema).schema.fields.map((f) => f.name);
    const tail = new Uint8Array(8);
    readAt(tail, size - 8);
    const length = new DataView(tail.buffer).getUint32(0, true);
    // hyparquet wants the footer with its length and magic.
    const footer = new Uint8Array(length + 8);
    readAt(footer, size - 8 - length);
    const metadata = parquetMetadata(footer.buffer);
    const chunks: ParquetChunkInfo[] = [];
    const warnings: string[] = [];
    for (const [rowGroup, group] of metadata.row_groups.entries()) {
      for (const chunk of group.columns) {
        const meta = chunk.meta_data;
        const column = meta?.path_in_schema[0];
        if (meta === undefined || column === undefined || !names.includes(column)) continue;
        const choice = file.path(rowGroup, column);
        const { pages, largestPage } = pageSizes(readAt, meta, size, path, rowGroup, column);
        chunks.push({
          rowGroup,
          column,
          codec: meta.codec,
          decoder: choice.fast ? 'fast' : 'fallback',
          reason: choice.fast ? null : choice.reason,
          pages,
          largestPage,
        });
        if (largestPage > budget)
          warnings.push(
            `column '${column}', row group ${rowGroup}: a page of ${largestPage} bytes is larger than the ` +
              `memory budget of ${budget} bytes, so it cannot be streamed under it`,
          );
      }
    }
    return { memoryBudget: budget, chunks, warnings };
  } finally {
    closeSync(fd);
  }
}

/** The page count and the largest page of one column chunk, from its page headers. */
function pageSizes(
  readAt: ReadAt,
  meta: { dictionary_page_offset?: bigint; data_page_offset: bigint; total_compressed_size: bigint },
  size: number,
  file: string,
  rowGroup: number,
  column: string,
): { pages: number; largestPage: number } {
  const dictionary = meta.dictionary_page_offset;
  let at = Number(
    dictionary !== undefined && dictionary > 0n && dictionary < meta.data_page_offset
      ? dictionary
      : meta.data_page_offset,
  );
  const end = Math.min(size, at + Number(meta.total_compressed_size));
  const corrupt = (why: string): ArrowReadError =>
    new ArrowReadError('CORRUPT', `a page header of the column chunk ${why}`, {
      file,
      rowGroup,
      column,
      hint: 'The file is damaged or was cut short: write it again.',
    });
  let pages = 0;
  let largestPage = 0;
  // Headers are small, but statistics can make one long: read more until it parses.
  let window = new Uint8Array(4096);
  while (at < end) {
    const got = readAt(window, at);
    const view = new DataView(window.buffer, 0, got);
    const reader = { view, offset: 0 };
    try {
      const header = parquetHeader(reader);
      if (!(header.compressed_page_size >= 0 && header.uncompressed_page_size >= 0))
        throw corrupt('has a negative size');
      pages++;
      largestPage = Math.max(largestPage, header.uncompressed_page_size);
      at += reader.offset + header.compressed_page_size;
    } catch (e) {
      if (e instanceof ArrowReadError) throw e;
      if (got < window.length || window.length >= 1 << 24)
        throw corrupt(`does not parse (${e instanceof Error ? e.message : e})`);
      window = new Uint8Array(window.length * 16);
    }
  }
  return { pages, largestPage };
}
