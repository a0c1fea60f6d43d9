import { parquetHeader } from 'hyparquet/src/column.js';
import type { PageHeader } from 'hyparquet/src/types.js';
import { FastPathFallback } from './FastPathFallback.js';
import { gatherPacked } from './gatherPacked.js';
import { levelWidth, walkHybridRuns } from './hybridRuns.js';
import { collectRowStarts, requireDefined } from './levels.js';
import { PageCorruption } from './PageCorruption.js';
import { RowStarts } from './RowStarts.js';
import type { SnappyPages } from './SnappyPages.js';
import type { ZstdPages } from './ZstdPages.js';

/** What the pages of one column chunk hold, as its footer and schema say. */
export interface ChunkShape {
  /** 'UNCOMPRESSED', 'SNAPPY' or 'ZSTD'. */
  readonly codec: string;
  /** Bytes per value: 4 (FLOAT, INT32) or 8 (DOUBLE, INT64). */
  readonly valueBytes: 4 | 8;
  readonly maxDefinition: number;
  /** 0 for a scalar column, 1 for a list. */
  readonly maxRepetition: number;
  /** Values in the chunk (the footer's `num_values`; with no nulls, every level has a value). */
  readonly values: number;
}

/** A decoded column chunk: views of the decoder's reused buffers, valid until its next `decode`. */
export interface DecodedChunk {
  /** The values' bytes, little-endian, 8-byte aligned at offset 0 of their buffer. */
  readonly bytes: Uint8Array;
  readonly values: number;
  /** For a list: the index of each row's first value. */
  readonly rowStarts: Int32Array | undefined;
}

/**
 * Decodes the pages of one column chunk of FLOAT/DOUBLE/INT32/INT64 values with no nulls —
 * DATA_PAGE v1 and v2, PLAIN or dictionary-encoded, UNCOMPRESSED, SNAPPY or ZSTD — into buffers it
 * reuses from chunk to chunk (they grow to the largest chunk and stay). Levels are walked run by
 * run: definition levels must all be the maximum, repetition levels give each row's start, and a
 * row may span pages.
 *
 * @example
 * const decoded = new ColumnChunkDecoder(snappy, zstd).decode(chunkBytes, shape);
 * @throws {FastPathFallback} when the chunk needs the general decoder (nulls, other encodings)
 * @throws {PageCorruption} when its bytes contradict themselves
 */
export class ColumnChunkDecoder {
  #values = new Uint8Array(0);
  #dictionary = new Uint8Array(0);
  readonly #starts = new RowStarts();

  constructor(
    private readonly snappy: SnappyPages,
    private readonly zstd: ZstdPages,
  ) {}

  decode(chunk: Uint8Array, shape: ChunkShape): DecodedChunk {
    const size = shape.valueBytes;
    const total = shape.values;
    if (total * size > 2 ** 31) throw new FastPathFallback('a column chunk over 2 GB');
    if (this.#values.length < total * size) this.#values = new Uint8Array(total * size);
    this.#starts.reset();
    const view = new DataView(chunk.buffer, chunk.byteOffset, chunk.length);
    let dictionary = -1;
    let done = 0;
    let at = 0;
    while (done < total) {
      if (at >= chunk.length)
        throw new PageCorruption(`the column chunk ends after ${done} of its ${total} values`);
      const reader = { view, offset: at };
      let header: PageHeader;
      try {
        header = parquetHeader(reader);
      } catch (e) {
        throw new PageCorruption(`a page header does not parse (${e instanceof Error ? e.message : e})`);
      }
      const compressed = header.compressed_page_size;
      const uncompressed = header.uncompressed_page_size;
      if (!isSize(compressed) || !isSize(uncompressed) || compressed > chunk.length - reader.offset)
        throw new PageCorruption(`a page of ${compressed} bytes does not fit in its column chunk`);
      const body = chunk.subarray(reader.offset, reader.offset + compressed);
      at = reader.offset + compressed;
      if (header.type === 'DICTIONARY_PAGE') {
        const h = header.dictionary_page_header;
        if (h === undefined) throw new PageCorruption('a dictionary page has no dictionary header');
        if (h.encoding !== 'PLAIN' && h.encoding !== 'PLAIN_DICTIONARY')
          throw new FastPathFallback(`a ${h.encoding} dictionary`);
        if (!isSize(h.num_values)) throw new PageCorruption('a dictionary page has a negative size');
        const bytes = this.#inflate(body, uncompressed, shape.codec);
        if (h.num_values * size > bytes.length)
          throw new PageCorruption(`a dictionary of ${h.num_values} values has only ${bytes.length} bytes`);
        if (this.#dictionary.length < bytes.length) this.#dictionary = new Uint8Array(bytes.length);
        this.#dictionary.set(bytes.subarray(0, h.num_values * size));
        dictionary = h.num_values;
        continue;
      }
      let count: number;
      let bytes: Uint8Array;
      let pos = 0;
      let encoding: string;
      if (header.type === 'DATA_PAGE') {
        const h = header.data_page_header;
        if (h === undefined) throw new PageCorruption('a data page has no data page header');
        count = pageValues(h.num_values, done, total);
        encoding = h.encoding;
        bytes = this.#inflate(body, uncompressed, shape.codec);
        if (shape.maxRepetition > 0) {
          if (h.repetition_level_encoding !== 'RLE') throw new FastPathFallback('BIT_PACKED levels');
          const end = prefixedEnd(bytes, pos);
          collectRowStarts(bytes, pos + 4, end, levelWidth(shape.maxRepetition), count, done, this.#starts);
          pos = end;
        }
        if (shape.maxDefinition > 0) {
          if (h.definition_level_encoding !== 'RLE') throw new FastPathFallback('BIT_PACKED levels');
          const end = prefixedEnd(bytes, pos);
          requireDefined(bytes, pos + 4, end, levelWidth(shape.maxDefinition), count, shape.maxDefinition);
          pos = end;
        }
      } else if (header.type === 'DATA_PAGE_V2') {
        const h = header.data_page_header_v2;
        if (h === undefined) throw new PageCorruption('a data page has no v2 data page header');
        count = pageValues(h.num_values, done, total);
        encoding = h.encoding;
        if (h.num_nulls !== 0) throw new FastPathFallback('nulls');
        const rep = h.repetition_levels_byte_length;
        const def = h.definition_levels_byte_length;
        if (!isSize(rep) || !isSize(def) || rep + def > compressed || rep + def > uncompressed)
          throw new PageCorruption('the levels of a v2 page run past it');
        if (shape.maxRepetition > 0)
          collectRowStarts(body, 0, rep, levelWidth(shape.maxRepetition), count, done, this.#starts);
        if (shape.maxDefinition > 0)
          requireDefined(body, rep, rep + def, levelWidth(shape.maxDefinition), count, shape.maxDefinition);
        const values = body.subarray(rep + def);
        bytes =
          h.is_compressed === false ? values : this.#inflate(values, uncompressed - rep - def, shape.codec);
      } else {
        continue; // an index page: nothing to decode
      }
      const into = done * size;
      if (encoding === 'PLAIN') {
        if (count * size > bytes.length - pos)
          throw new PageCorruption(`a page of ${count} values has only ${bytes.length - pos} bytes of them`);
        this.#values.set(bytes.subarray(pos, pos + count * size), into);
      } else if (encoding === 'PLAIN_DICTIONARY' || encoding === 'RLE_DICTIONARY') {
        if (dictionary < 0) throw new PageCorruption('a dictionary-encoded page comes before any dictionary');
        if (pos >= bytes.length) throw new PageCorruption('a dictionary-encoded page is empty');
        this.#gather(bytes, pos + 1, bytes[pos]!, count, dictionary, done, size);
      } else {
        throw new FastPathFallback(`${encoding} values`);
      }
      done += count;
    }
    const starts = shape.maxRepetition > 0 ? this.#starts.view() : undefined;
    return { bytes: this.#values.subarray(0, total * size), values: total, rowStarts: starts };
  }

  #inflate(body: Uint8Array, size: number, codec: string): Uint8Array {
    if (codec === 'SNAPPY') return this.snappy.decompress(body, size);
    if (codec === 'ZSTD') return this.zstd.decompress(body, size);
    if (body.length !== size)
      throw new PageCorruption(`an uncompressed page of ${body.length} bytes says it has ${size}`);
    return body;
  }

  /** Dictionary indices in `bytes[pos, …)` resolved into the values, as 32-bit words. */
  #gather(
    bytes: Uint8Array,
    pos: number,
    width: number,
    count: number,
    entries: number,
    first: number,
    size: number,
  ): void {
    const words = size >>> 2;
    const out = new Int32Array(this.#values.buffer, 0, this.#values.length >>> 2);
    const dict = new Int32Array(this.#dictionary.buffer, 0, this.#dictionary.length >>> 2);
    const bad = (index: number): PageCorruption =>
      new PageCorruption(`dictionary index ${index} of a dictionary of ${entries} values`);
    walkHybridRuns(
      bytes,
      pos,
      bytes.length,
      width,
      count,
      (index, from, length) => {
        if (index >= entries) throw bad(index);
        const start = (first + from) * words;
        if (words === 1) out.fill(dict[index]!, start, start + length);
        else
          for (let i = 0; i < length; i++) {
            out[start + 2 * i] = dict[2 * index]!;
            out[start + 2 * i + 1] = dict[2 * index + 1]!;
          }
      },
      (start, from, length) => {
        gatherPacked(bytes, start, width, 0, length, dict, words, entries, out, (first + from) * words);
      },
    );
  }
}

function isSize(n: unknown): n is number {
  return typeof n === 'number' && Number.isInteger(n) && n >= 0;
}

/** A data page's value count, checked against what the chunk still has. */
function pageValues(n: unknown, done: number, total: number): number {
  if (!isSize(n) || n > total - done)
    throw new PageCorruption(`a page of ${String(n)} values where the column chunk has ${total - done} left`);
  return n;
}

/** The end of a v1 page's levels, which a 4-byte little-endian length precedes. */
function prefixedEnd(bytes: Uint8Array, pos: number): number {
  if (pos + 4 > bytes.length) throw new PageCorruption('the levels of a page are cut short');
  const length = bytes[pos]! | (bytes[pos + 1]! << 8) | (bytes[pos + 2]! << 16) | (bytes[pos + 3]! << 24);
  if (length < 0 || length > bytes.length - pos - 4)
    throw new PageCorruption('the levels of a page run past it');
  return pos + 4 + length;
}
