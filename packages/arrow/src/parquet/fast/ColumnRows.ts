import { parquetHeader } from 'hyparquet/src/column.js';
import type { ColumnChunk, PageHeader } from 'hyparquet/src/types.js';
import type { ReadAt } from '../ReadAt.js';
import { FastPathFallback } from './FastPathFallback.js';
import type { FastColumn } from './fastColumns.js';
import { gatherPacked } from './gatherPacked.js';
import { levelWidth, walkHybridRuns } from './hybridRuns.js';
import { collectRowStarts, requireDefined } from './levels.js';
import { PageCorruption } from './PageCorruption.js';
import { RangedLevels } from './RangedLevels.js';
import { RowStarts } from './RowStarts.js';
import { SameSizeLevels } from './SameSizeLevels.js';
import { LITERAL_SHARE, SnappyPages } from './SnappyPages.js';
import { SnappyRanges } from './SnappyRanges.js';
import { type LevelsEnd, SnappySplit } from './SnappySplit.js';
import { ZstdPages } from './ZstdPages.js';

/** Page headers are read this many bytes at a time, more only for a header that does not fit. */
const HEADER_BYTES = 1024;
const MAX_HEADER_BYTES = 1 << 20;
const EMPTY = new Uint8Array(0);
/** Column chunks whose pages are remembered, at most (a few numbers a page). */
const KNOWN_CHUNKS = 256;

/**
 * The data pages of one column chunk walked so far, in order from its first: where each starts,
 * the values before it, and the rows that start before it (−1: not counted, the page was skipped).
 */
interface KnownPages {
  /** Where the dictionary page starts, or −1. */
  readonly dictionaryAt: number;
  /** Where the chunk ends in the file. */
  readonly end: number;
  readonly at: number[];
  readonly valuesBefore: number[];
  readonly rowsBefore: number[];
}

/** A data page's values, after its levels were checked. */
interface PageValues {
  /** The page decompressed, or (`range`) its levels only. */
  readonly bytes: Uint8Array;
  readonly pos: number;
  readonly encoding: string;
  /** A big SNAPPY page whose values are decompressed range by range (see {@link SnappyRanges}). */
  readonly range?: { readonly bodyAt: number; readonly length: number; readonly size: number };
}

/**
 * SNAPPY pages of PLAIN values at least this big (decompressed) are decompressed range by range,
 * straight into the caller's memory, rather than whole: a 1M-row row group's pages are over 100 MB.
 */
export const RANGE_PAGE_BYTES = 8 << 20;

/**
 * Rows `[first, end)` of one column's chunks, read page by page straight from the file into one
 * reused WebAssembly memory (the page's bytes and, for SNAPPY, its decompressed bytes: no buffer
 * per page, none the size of a column chunk) and copied from there to where the caller wants
 * them: memory is about the largest page, whatever the row group's size. Pages before the rows
 * are skipped by their headers where the values tell the rows (scalars and lists of one size), and
 * by what this reader learnt of the chunk's pages before, for lists of any size. The last page
 * decompressed stays, so the next rows of the same page cost no decompression.
 *
 * {@link locate} first (which values the rows are, and a list's offsets), then {@link copyValues}.
 *
 * @example
 * const rows = new ColumnRows(readAt, size, column);
 * rows.locate(chunk, 122_880, 65_536, 122_880);
 * rows.copyValues(target.subarray(0, rows.valueBytes));
 * @throws {FastPathFallback} when the chunk needs the general decoder (nulls, other encodings or list sizes)
 * @throws {PageCorruption} when its bytes contradict themselves
 */
export class ColumnRows {
  readonly #pages = new SnappyPages();
  /** ZSTD pages are read into {@link #pages}' memory, then decompressed into this one's. */
  #zstd: ZstdPages | undefined;
  readonly #starts = new RowStarts();
  /** A fixed-size list's page levels proven to give rows of its size (see {@link #rowStarts}). */
  readonly #sameSize: SameSizeLevels | undefined;
  readonly #known = new Map<number, KnownPages>();
  readonly #ranges: SnappyRanges;
  /** Whole SNAPPY pages of values decompressed straight where they go (see {@link #pageInto}). */
  readonly #split = new SnappySplit();
  readonly #levelsEnd: LevelsEnd;
  /** Big pages whose stream is not cut in 64 KiB blocks: decompressed whole after all. */
  readonly #whole64 = new Set<number>();
  #levels = new Uint8Array(0);
  /**
   * Big pages whose levels were walked and checked: where their values start and, once counted,
   * their rows' first values; the next rows of the same page need neither again.
   */
  readonly #ranged = new RangedLevels();
  #header = new Uint8Array(HEADER_BYTES);
  /** The page whose bytes are in the input area, and whose values were decompressed (by body offset). */
  #loadedAt = -1;
  #inflatedAt = -1;
  #inflated: Uint8Array = new Uint8Array(0);
  #dictionaryAt = -1;
  #dictionary = new Uint8Array(0);
  #entries = 0;
  #offsets = new Int32Array(0);
  #chunk: ColumnChunk | undefined;
  #rows = 0;
  /** The first value of the rows located, and the one after their last. */
  lo = 0;
  hi = 0;

  /** `rangePageBytes`: see {@link RANGE_PAGE_BYTES} (tests make it small). */
  constructor(
    private readonly readAt: ReadAt,
    private readonly size: number,
    readonly column: FastColumn,
    private readonly rangePageBytes = RANGE_PAGE_BYTES,
  ) {
    this.#ranges = new SnappyRanges(readAt);
    this.#levelsEnd = levelsEnd(column.maxRepetition, column.maxDefinition);
    if (column.layout === 'fixed') this.#sameSize = new SameSizeLevels(column.listSize);
  }

  /** Bytes of the located rows' values. */
  get valueBytes(): number {
    return (this.hi - this.lo) * this.column.valueBytes;
  }

  /** For a list column, the located rows' offsets into their values (rows + 1 of them, from 0). */
  get offsets(): Int32Array | undefined {
    return this.column.layout === 'list' ? this.#offsets.subarray(0, this.#rows + 1) : undefined;
  }

  /** Finds rows `[first, end)` of the column chunk `chunk` of a row group of `groupRows` rows. */
  locate(chunk: ColumnChunk, groupRows: number, first: number, end: number): void {
    const meta = chunk.meta_data;
    if (meta === undefined) throw new FastPathFallback('no column metadata');
    const total = Number(meta.num_values);
    this.#chunk = chunk;
    this.#rows = end - first;
    const { layout } = this.column;
    if (layout !== 'list') {
      const n = layout === 'fixed' ? this.column.listSize : 1;
      if (total !== groupRows * n) throw new FastPathFallback('lists of other sizes');
      this.lo = first * n;
      this.hi = end * n;
      return;
    }
    const known = this.#begin(chunk);
    // The last page known to start at or before row `first`.
    let p = known.at.length - 1;
    while (p > 0 && !(known.rowsBefore[p]! >= 0 && known.rowsBefore[p]! <= first)) p--;
    const starts = this.#starts;
    starts.reset();
    let values = known.valuesBefore[p]!;
    // A page after the first may begin inside a row: a placeholder start keeps the check that a
    // chunk's very first value starts a row from firing there.
    const skip = values > 0 ? 1 : 0;
    if (skip === 1) starts.push(-1);
    const rowsBefore = known.rowsBefore[p]!;
    const need = end - rowsBefore + skip;
    this.#walk(known, p, total, (header, bodyAt, count, index) => {
      const before = starts.length;
      this.#pageValues(header, bodyAt, values, count, starts);
      const rows = known.rowsBefore[index]!;
      this.#learn(known, index, rows < 0 ? -1 : rows + starts.length - before);
      values += count;
      return starts.length <= need && values < total;
    });
    const counted = rowsBefore + starts.length - skip;
    if (values >= total && counted !== groupRows)
      throw new PageCorruption(`the column chunk holds ${counted} rows, its row group ${groupRows}`);
    if (counted < end) throw new PageCorruption(`the column chunk ends inside row ${counted}`);
    const view = starts.view();
    this.lo = view[first - rowsBefore + skip]!;
    this.hi = end < groupRows ? view[end - rowsBefore + skip]! : total;
    if (this.#offsets.length < this.#rows + 1) this.#offsets = new Int32Array(this.#rows + 1);
    for (let r = 0; r < this.#rows; r++) this.#offsets[r] = view[first - rowsBefore + skip + r]! - this.lo;
    this.#offsets[this.#rows] = this.hi - this.lo;
  }

  /**
   * Copies the located rows' values `[from, to)` (counted from their first: all of them unless
   * given) into `into` (their bytes, 4-byte aligned): a thread copies, and computes, one row range
   * of the rows at a time.
   */
  copyValues(into: Uint8Array, from = 0, to: number = this.hi - this.lo): void {
    if (!(0 <= from && from <= to && to <= this.hi - this.lo))
      throw new RangeError(`values ${from} to ${to} of ${this.hi - this.lo} located`);
    const chunk = this.#chunk!;
    const total = Number(chunk.meta_data!.num_values);
    const lo = this.lo + from;
    const hi = this.lo + to;
    const size = this.column.valueBytes;
    const known = this.#begin(chunk);
    let p = known.at.length - 1;
    while (p > 0 && known.valuesBefore[p]! > lo) p--;
    let values = known.valuesBefore[p]!;
    const n = this.column.layout === 'fixed' ? this.column.listSize : 1;
    const fixed = this.column.layout === 'fixed';
    const repeated = this.column.maxRepetition > 0;
    this.#walk(known, p, total, (header, bodyAt, count, index) => {
      if (values + count > lo) {
        // A list's rows were counted (and its levels checked) by `locate` on these very pages:
        // only a page whose rows are still to learn is walked again; fixed-size lists are checked here.
        const starts =
          repeated && (fixed || (known.rowsBefore[index]! >= 0 && known.rowsBefore[index + 1]! < 0))
            ? this.#starts
            : undefined;
        starts?.reset();
        if (values > 0) starts?.push(-1);
        const a = Math.max(lo, values);
        const b = Math.min(hi, values + count);
        // A page whose values are all wanted: decompressed where they go, when it can be.
        const placed =
          a === values &&
          b === values + count &&
          this.#pageInto(
            header,
            bodyAt,
            values,
            count,
            starts,
            into.subarray((a - lo) * size, (b - lo) * size),
          );
        const page = placed ? undefined : this.#pageValues(header, bodyAt, values, count, starts);
        if (starts !== undefined && fixed) sameSizeRows(starts, values, count, n);
        if (page !== undefined) this.#copy(page, a - values, b - values, into, (a - lo) * size);
        const rows = known.rowsBefore[index]!;
        this.#learn(
          known,
          index,
          starts === undefined || rows < 0 ? -1 : rows + starts.length - (values > 0 ? 1 : 0),
        );
      } else this.#learn(known, index, -1);
      values += count;
      return values < hi;
    });
  }

  /** The chunk's known pages, its dictionary read if it has one. */
  #begin(chunk: ColumnChunk): KnownPages {
    const meta = chunk.meta_data!;
    const dictionary = meta.dictionary_page_offset;
    const start = Number(
      dictionary !== undefined && dictionary > 0n && dictionary < meta.data_page_offset
        ? dictionary
        : meta.data_page_offset,
    );
    const length = Number(meta.total_compressed_size);
    if (!(start >= 0 && length >= 0 && start + length <= this.size))
      throw new PageCorruption(
        `the column chunk at ${start} (${length} bytes) runs past the end of the file`,
      );
    let known = this.#known.get(start);
    if (known === undefined) {
      const { header, bodyAt } = this.#readHeader(start, start + length);
      const isDictionary = header.type === 'DICTIONARY_PAGE';
      const dataAt = isDictionary ? bodyAt + header.compressed_page_size : start;
      if (this.#known.size >= KNOWN_CHUNKS) this.#known.clear();
      known = {
        dictionaryAt: isDictionary ? start : -1,
        end: start + length,
        at: [dataAt],
        valuesBefore: [0],
        rowsBefore: [0],
      };
      this.#known.set(start, known);
    }
    return known;
  }

  /** Records the page after page `index` (its rows before, when `rows` of page `index` counted them). */
  #learn(known: KnownPages, index: number, rowsBefore: number): void {
    // Filled in by #walk as it moves on; only the rows need this page's levels.
    if (index + 1 < known.rowsBefore.length && known.rowsBefore[index + 1]! < 0 && rowsBefore >= 0)
      known.rowsBefore[index + 1] = rowsBefore;
  }

  /**
   * Visits the data pages from known page `p` on, with their header, body position, value count
   * and index among the chunk's data pages, while `visit` says to go on.
   */
  #walk(
    known: KnownPages,
    p: number,
    total: number,
    visit: (header: PageHeader, bodyAt: number, count: number, index: number) => boolean,
  ): void {
    const chunkEnd = known.end;
    let at = known.at[p]!;
    let values = known.valuesBefore[p]!;
    let index = p;
    for (;;) {
      if (values >= total) return;
      if (at >= chunkEnd)
        throw new PageCorruption(`the column chunk ends after ${values} of its ${total} values`);
      const { header, bodyAt } = this.#readHeader(at, chunkEnd);
      const next = bodyAt + header.compressed_page_size;
      if (header.type === 'DICTIONARY_PAGE') throw new PageCorruption('a second dictionary page');
      const h = header.type === 'DATA_PAGE' ? header.data_page_header : header.data_page_header_v2;
      if (header.type !== 'DATA_PAGE' && header.type !== 'DATA_PAGE_V2') {
        at = next; // an index page: nothing to decode
        continue;
      }
      if (h === undefined) throw new PageCorruption('a data page has no data page header');
      const count = h.num_values;
      if (!isSize(count) || count > total - values)
        throw new PageCorruption(
          `a page of ${String(count)} values where the column chunk has ${total - values} left`,
        );
      if (index + 1 === known.at.length) {
        known.at.push(next);
        known.valuesBefore.push(values + count);
        known.rowsBefore.push(-1);
      }
      const more = visit(header, bodyAt, count, index);
      values += count;
      at = next;
      index++;
      if (!more) return;
    }
  }

  /** The header of the page at `at` (before `end`) and where its body starts. */
  #readHeader(at: number, end: number): { header: PageHeader; bodyAt: number } {
    for (let length = HEADER_BYTES; ; length *= 16) {
      const want = Math.min(length, end - at);
      if (this.#header.length < want) this.#header = new Uint8Array(want);
      const got = this.readAt(this.#header.subarray(0, want), at);
      const reader = { view: new DataView(this.#header.buffer, 0, got), offset: 0 };
      let header: PageHeader;
      try {
        header = parquetHeader(reader);
      } catch (e) {
        if (want < end - at && length < MAX_HEADER_BYTES) continue;
        throw new PageCorruption(`a page header does not parse (${e instanceof Error ? e.message : e})`);
      }
      const compressed = header.compressed_page_size;
      if (
        !isSize(compressed) ||
        !isSize(header.uncompressed_page_size) ||
        compressed > end - at - reader.offset
      )
        throw new PageCorruption(`a page of ${compressed} bytes does not fit in its column chunk`);
      return { header, bodyAt: at + reader.offset };
    }
  }

  /** The page's body, read into the input area (unless it is there already). */
  #load(bodyAt: number, length: number): Uint8Array {
    const input = this.#pages.input(length);
    if (this.#loadedAt !== bodyAt) {
      this.#loadedAt = -1;
      this.#inflatedAt = -1;
      if (this.readAt(input, bodyAt) !== length) throw new PageCorruption('a page is cut short');
      this.#loadedAt = bodyAt;
    }
    return input;
  }

  /**
   * A page compressed whole (a v1 data page, a dictionary page) of `length` bytes at `bodyAt`,
   * decompressed (unless it is the last one decompressed): SNAPPY pages that compressed little in
   * about their decompressed size of memory (see `SnappyPages.readAndInflate`).
   */
  #whole(bodyAt: number, length: number, size: number): Uint8Array {
    const codec = this.#chunk!.meta_data!.codec;
    if (codec === 'ZSTD') {
      if (this.#inflatedAt === bodyAt && this.#inflated.byteLength === size) return this.#inflated;
      // Read straight into the decompressor's memory: not into the input area first, then copied.
      this.#loadedAt = -1;
      this.#inflatedAt = -1;
      this.#zstd ??= new ZstdPages();
      this.#inflated = this.#zstd.readAndDecompress((into) => this.readAt(into, bodyAt), length, size);
      this.#inflatedAt = bodyAt;
      return this.#inflated;
    }
    if (codec !== 'SNAPPY') {
      this.#load(bodyAt, length);
      return this.#inflate(bodyAt, 0, length, size, false);
    }
    if (this.#inflatedAt === bodyAt && this.#inflated.byteLength === size) return this.#inflated;
    // The page is read into the memory anew, over what was there.
    this.#loadedAt = -1;
    this.#inflatedAt = -1;
    this.#inflated = this.#pages.readAndInflate((into) => this.readAt(into, bodyAt), length, size);
    this.#inflatedAt = bodyAt;
    return this.#inflated;
  }

  /** Bytes `[offset, offset + length)` of the loaded page, decompressed to `size` bytes if the chunk is SNAPPY or ZSTD. */
  #inflate(bodyAt: number, offset: number, length: number, size: number, compressed: boolean): Uint8Array {
    const codec = this.#chunk!.meta_data!.codec;
    if ((codec !== 'SNAPPY' && codec !== 'ZSTD') || !compressed) {
      if (length !== size)
        throw new PageCorruption(`an uncompressed page of ${length} bytes says it has ${size}`);
      return this.#pages.input(offset + length).subarray(offset);
    }
    if (this.#inflatedAt === bodyAt && this.#inflated.byteLength === size) return this.#inflated;
    if (codec === 'ZSTD') {
      this.#zstd ??= new ZstdPages();
      this.#inflated = this.#zstd.decompress(this.#pages.input(offset + length).subarray(offset), size);
      this.#inflatedAt = bodyAt;
      return this.#inflated;
    }
    this.#inflated = this.#pages.inflateInput(offset, length, size);
    this.#inflatedAt = bodyAt;
    return this.#inflated;
  }

  /**
   * A data page's values, its levels checked (all defined) and, given `starts`, its rows' first
   * values added to it (counted from `values`, the values before the page).
   */
  #pageValues(
    header: PageHeader,
    bodyAt: number,
    values: number,
    count: number,
    starts: RowStarts | undefined,
  ): PageValues {
    const { maxDefinition, maxRepetition } = this.column;
    const encoding = (header.data_page_header ?? header.data_page_header_v2)?.encoding;
    // Before the page is loaded: the dictionary is read through the same memory.
    if (encoding === 'PLAIN_DICTIONARY' || encoding === 'RLE_DICTIONARY') this.#readDictionary();
    const compressed = header.compressed_page_size;
    const uncompressed = header.uncompressed_page_size;
    if (header.type === 'DATA_PAGE') {
      const h = header.data_page_header!;
      const rangeable =
        h.encoding === 'PLAIN' &&
        uncompressed >= this.rangePageBytes &&
        this.#chunk!.meta_data!.codec === 'SNAPPY' &&
        !this.#whole64.has(bodyAt);
      const range = { bodyAt, length: compressed, size: uncompressed };
      const seen = rangeable ? this.#ranged.get(bodyAt) : undefined;
      if (seen !== undefined && (starts === undefined || seen.starts !== undefined)) {
        if (starts !== undefined) starts.append(seen.starts!);
        return { bytes: EMPTY, pos: seen.pos, encoding: h.encoding, range };
      }
      const startsBefore = starts?.length ?? 0;
      const ranged = rangeable ? this.#rangeLevels(bodyAt, compressed, uncompressed) : undefined;
      const bytes = ranged ?? this.#whole(bodyAt, compressed, uncompressed);
      let pos = 0;
      if (maxRepetition > 0) {
        if (h.repetition_level_encoding !== 'RLE') throw new FastPathFallback('BIT_PACKED levels');
        const end = prefixedEnd(bytes, pos);
        if (starts !== undefined) this.#rowStarts(bytes, pos + 4, end, count, values, starts);
        pos = end;
      }
      if (maxDefinition > 0) {
        if (h.definition_level_encoding !== 'RLE') throw new FastPathFallback('BIT_PACKED levels');
        const end = prefixedEnd(bytes, pos);
        requireDefined(bytes, pos + 4, end, levelWidth(maxDefinition), count, maxDefinition);
        pos = end;
      }
      if (ranged !== undefined) {
        this.#ranged.set(bodyAt, pos, starts?.view().subarray(startsBefore));
        return { bytes, pos, encoding: h.encoding, range };
      }
      return { bytes, pos, encoding: h.encoding };
    }
    const h = header.data_page_header_v2!;
    if (h.num_nulls !== 0) throw new FastPathFallback('nulls');
    this.#load(bodyAt, compressed);
    const rep = h.repetition_levels_byte_length;
    const def = h.definition_levels_byte_length;
    if (!isSize(rep) || !isSize(def) || rep + def > compressed || rep + def > uncompressed)
      throw new PageCorruption('the levels of a v2 page run past it');
    const bytes = this.#inflate(
      bodyAt,
      rep + def,
      compressed - rep - def,
      uncompressed - rep - def,
      h.is_compressed !== false,
    );
    // After inflating, which may grow the memory: a view taken before would be detached.
    const levels = this.#pages.input(compressed);
    if (maxRepetition > 0 && starts !== undefined) this.#rowStarts(levels, 0, rep, count, values, starts);
    if (maxDefinition > 0)
      requireDefined(levels, rep, rep + def, levelWidth(maxDefinition), count, maxDefinition);
    return { bytes, pos: 0, encoding: h.encoding };
  }

  /**
   * A SNAPPY v1 page of PLAIN values that compressed little (mostly literals, as float values are),
   * not too big to read whole and not decompressed already, decompressed with its values straight
   * into `into` (all of them) and its levels checked, and its rows added to `starts`, as
   * {@link #pageValues} does: the values are not decompressed into the reused memory first and
   * copied from there. False, with nothing done, for any other page (and one whose values are not
   * exactly `into`'s bytes).
   */
  #pageInto(
    header: PageHeader,
    bodyAt: number,
    values: number,
    count: number,
    starts: RowStarts | undefined,
    into: Uint8Array,
  ): boolean {
    const h = header.data_page_header;
    const compressed = header.compressed_page_size;
    const uncompressed = header.uncompressed_page_size;
    if (
      header.type !== 'DATA_PAGE' ||
      h === undefined ||
      h.encoding !== 'PLAIN' ||
      this.#chunk!.meta_data!.codec !== 'SNAPPY' ||
      uncompressed >= this.rangePageBytes ||
      compressed < LITERAL_SHARE * uncompressed ||
      this.#inflatedAt === bodyAt ||
      into.length !== count * this.column.valueBytes
    )
      return false;
    const { maxDefinition, maxRepetition } = this.column;
    if (maxRepetition > 0 && h.repetition_level_encoding !== 'RLE')
      throw new FastPathFallback('BIT_PACKED levels');
    if (maxDefinition > 0 && h.definition_level_encoding !== 'RLE')
      throw new FastPathFallback('BIT_PACKED levels');
    const input = this.#load(bodyAt, compressed);
    const levels = this.#split.decode(input, uncompressed, this.#levelsEnd, into);
    if (levels === undefined) return false;
    let pos = 0;
    if (maxRepetition > 0) {
      const end = prefixedEnd(levels, pos);
      if (starts !== undefined) this.#rowStarts(levels, pos + 4, end, count, values, starts);
      pos = end;
    }
    if (maxDefinition > 0) {
      const end = prefixedEnd(levels, pos);
      requireDefined(levels, pos + 4, end, levelWidth(maxDefinition), count, maxDefinition);
    }
    return true;
  }

  /**
   * Adds the rows starting in a page of `count` values (after `values` values) to `starts`, from
   * its repetition levels `bytes[from, to)`. For a fixed-size list whose `starts` hold only this
   * page's (after a placeholder when `values` > 0), levels that are byte for byte those of a page
   * proven before (see {@link SameSizeLevels}) give the rows of the list size without a walk.
   *
   * @throws {FastPathFallback} when a fixed-size list's rows are of other sizes
   */
  #rowStarts(
    bytes: Uint8Array,
    from: number,
    to: number,
    count: number,
    values: number,
    starts: RowStarts,
  ): void {
    const width = levelWidth(this.column.maxRepetition);
    const proofs = this.#sameSize;
    if (proofs === undefined || starts.length !== (values > 0 ? 1 : 0)) {
      collectRowStarts(bytes, from, to, width, count, values, starts);
      return;
    }
    const n = this.column.listSize;
    if (proofs.has(bytes, from, to, count, values)) {
      const end = values + count;
      for (let start = Math.ceil(values / n) * n; start < end; start += n) starts.push(start);
      return;
    }
    collectRowStarts(bytes, from, to, width, count, values, starts);
    sameSizeRows(starts, values, count, n);
    proofs.add(bytes, from, to, count, values);
  }

  /**
   * The levels of a big SNAPPY v1 page (its first bytes: a 4-byte length, then the levels, for
   * each kind of level it has), decompressed by range into a buffer of their own; `undefined`
   * (and the page marked to decompress whole) when its stream is not cut in 64 KiB blocks.
   */
  #rangeLevels(bodyAt: number, length: number, size: number): Uint8Array | undefined {
    const { maxDefinition, maxRepetition } = this.column;
    let have = 0;
    const upTo = (n: number): boolean => {
      if (this.#levels.length < n) {
        const grown = new Uint8Array(Math.max(n, 2 * this.#levels.length));
        grown.set(this.#levels.subarray(0, have));
        this.#levels = grown;
      }
      if (!this.#ranges.read(bodyAt, length, size, have, n, this.#levels.subarray(have, n))) {
        this.#whole64.add(bodyAt);
        return false;
      }
      have = n;
      return true;
    };
    let pos = 0;
    for (const max of [maxRepetition, maxDefinition]) {
      if (max === 0) continue;
      if (pos + 4 > size) throw new PageCorruption('the levels of a page are cut short');
      if (!upTo(pos + 4)) return undefined;
      const b = this.#levels;
      const n = b[pos]! | (b[pos + 1]! << 8) | (b[pos + 2]! << 16) | (b[pos + 3]! << 24);
      if (n < 0 || n > size - pos - 4) throw new PageCorruption('the levels of a page run past it');
      if (!upTo(pos + 4 + n)) return undefined;
      pos += 4 + n;
    }
    return this.#levels.subarray(0, pos);
  }

  /** Values `[from, to)` of the page into `into` at byte `at`. */
  #copy(page: PageValues, from: number, to: number, into: Uint8Array, at: number): void {
    const size = this.column.valueBytes;
    const { bytes, pos, encoding, range } = page;
    if (range !== undefined) {
      if (to * size > range.size - pos)
        throw new PageCorruption(`a page's values need ${to * size} bytes, it has ${range.size - pos}`);
      const target = into.subarray(at, at + (to - from) * size);
      if (
        this.#ranges.read(range.bodyAt, range.length, range.size, pos + from * size, pos + to * size, target)
      )
        return;
      // Not cut in blocks: decompressed whole, now and from now on.
      this.#whole64.add(range.bodyAt);
      const whole = this.#whole(range.bodyAt, range.length, range.size);
      into.set(whole.subarray(pos + from * size, pos + to * size), at);
      return;
    }
    if (encoding === 'PLAIN') {
      if (to * size > bytes.length - pos)
        throw new PageCorruption(`a page's values need ${to * size} bytes, it has ${bytes.length - pos}`);
      into.set(bytes.subarray(pos + from * size, pos + to * size), at);
      return;
    }
    if (encoding !== 'PLAIN_DICTIONARY' && encoding !== 'RLE_DICTIONARY')
      throw new FastPathFallback(`${encoding} values`);
    if (pos >= bytes.length) throw new PageCorruption('a dictionary-encoded page is empty');
    if (into.byteOffset % 4 !== 0) throw new FastPathFallback('an unaligned target');
    const words = size >>> 2;
    const out = new Int32Array(into.buffer, into.byteOffset + at, (to - from) * words);
    const dict = new Int32Array(this.#dictionary.buffer, 0, this.#entries * words);
    const entries = this.#entries;
    const bad = (index: number): PageCorruption =>
      new PageCorruption(`dictionary index ${index} of a dictionary of ${entries} values`);
    const width = bytes[pos]!;
    walkHybridRuns(
      bytes,
      pos + 1,
      bytes.length,
      width,
      to,
      (index, first, length) => {
        if (index >= entries) throw bad(index);
        const a = Math.max(first, from);
        const b = Math.min(first + length, to);
        if (a >= b) return;
        if (words === 1) out.fill(dict[index]!, a - from, b - from);
        else
          for (let i = a; i < b; i++) {
            out[2 * (i - from)] = dict[2 * index]!;
            out[2 * (i - from) + 1] = dict[2 * index + 1]!;
          }
      },
      (start, first, length) => {
        const a = Math.max(first, from);
        const b = Math.min(first + length, to);
        gatherPacked(
          bytes,
          start,
          width,
          a - first,
          b - first,
          dict,
          words,
          entries,
          out,
          (a - from) * words,
        );
      },
    );
  }

  /** The chunk's dictionary, decoded once per chunk (it is read again only after another chunk's). */
  #readDictionary(): void {
    const chunk = this.#chunk!;
    const known = this.#begin(chunk);
    if (known.dictionaryAt < 0)
      throw new PageCorruption('a dictionary-encoded page comes before any dictionary');
    if (this.#dictionaryAt === known.dictionaryAt) return;
    const meta = chunk.meta_data!;
    const { header, bodyAt } = this.#readHeader(
      known.dictionaryAt,
      known.dictionaryAt + Number(meta.total_compressed_size),
    );
    const h = header.dictionary_page_header;
    if (h === undefined) throw new PageCorruption('a dictionary page has no dictionary header');
    if (h.encoding !== 'PLAIN' && h.encoding !== 'PLAIN_DICTIONARY')
      throw new FastPathFallback(`a ${h.encoding} dictionary`);
    if (!isSize(h.num_values)) throw new PageCorruption('a dictionary page has a negative size');
    const size = this.column.valueBytes;
    // Read and decompressed in the same memory as the data pages: they are read again after it.
    const bytes = this.#whole(bodyAt, header.compressed_page_size, header.uncompressed_page_size);
    if (h.num_values * size > bytes.length)
      throw new PageCorruption(`a dictionary of ${h.num_values} values has only ${bytes.length} bytes`);
    if (this.#dictionary.length < h.num_values * size) this.#dictionary = new Uint8Array(h.num_values * size);
    this.#dictionary.set(bytes.subarray(0, h.num_values * size));
    this.#entries = h.num_values;
    this.#dictionaryAt = known.dictionaryAt;
  }
}

/**
 * Throws {@link FastPathFallback} unless the rows starting in a page of `count` values (after
 * `values` values; `starts` holds their first values, after a placeholder when `values` > 0) are
 * exactly those starting at every multiple of `n` in it: every row of the page has `n` values.
 */
function sameSizeRows(starts: RowStarts, values: number, count: number, n: number): void {
  const view = starts.view();
  const skip = values > 0 ? 1 : 0;
  const firstStart = Math.ceil(values / n) * n;
  const expected = firstStart >= values + count ? 0 : Math.floor((values + count - 1 - firstStart) / n) + 1;
  if (view.length - skip !== expected) throw new FastPathFallback('lists of other sizes');
  for (let i = skip; i < view.length; i++)
    if (view[i] !== firstStart + (i - skip) * n) throw new FastPathFallback('lists of other sizes');
}

function isSize(n: unknown): n is number {
  return typeof n === 'number' && Number.isInteger(n) && n >= 0;
}

/** The end of a v1 page's levels, which a 4-byte little-endian length precedes. */
function prefixedEnd(bytes: Uint8Array, pos: number): number {
  if (pos + 4 > bytes.length) throw new PageCorruption('the levels of a page are cut short');
  const length = bytes[pos]! | (bytes[pos + 1]! << 8) | (bytes[pos + 2]! << 16) | (bytes[pos + 3]! << 24);
  if (length < 0 || length > bytes.length - pos - 4)
    throw new PageCorruption('the levels of a page run past it');
  return pos + 4 + length;
}

/** Where a v1 page's levels end (see `LevelsEnd`), for a column with these maximum levels. */
function levelsEnd(maxRepetition: number, maxDefinition: number): LevelsEnd {
  const kinds = (maxRepetition > 0 ? 1 : 0) + (maxDefinition > 0 ? 1 : 0);
  return (head, have) => {
    let pos = 0;
    for (let k = 0; k < kinds; k++) {
      if (pos + 4 > have) return undefined;
      const n = head[pos]! | (head[pos + 1]! << 8) | (head[pos + 2]! << 16) | (head[pos + 3]! << 24);
      if (n < 0) throw new PageCorruption('the levels of a page run past it');
      pos += 4 + n;
    }
    return pos;
  };
}
