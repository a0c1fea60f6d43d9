/** Encodings remembered per column, at most (a writer cuts a chunk into a few page sizes). */
const KEPT = 8;

/** One repetition-level encoding proven to give rows of the list size. */
interface Proven {
  readonly count: number;
  readonly phase: number;
  readonly chunkStart: boolean;
  readonly bytes: Uint8Array;
}

/**
 * The repetition levels of fixed-size-list pages already walked and proven to give rows of the
 * list's size (`sameSizeRows`), kept byte for byte. A writer encodes every page of the same value
 * count the same way (lossflow's writer: three pages of 262,900 values and one of 30,500 per row
 * group, 13 KB of levels each), so a page whose levels are the very bytes of a proven page, with as
 * many values and its first value at the same place in a list, decodes to the same levels and so
 * to the same rows: comparing 13 KB replaces walking 262,900 levels one by one.
 *
 * @example
 * if (!proofs.has(bytes, from, to, count, values)) {
 *   collectRowStarts(bytes, from, to, 1, count, values, starts);
 *   sameSizeRows(starts, values, count, n); // throws unless proven
 *   proofs.add(bytes, from, to, count, values);
 * }
 */
export class SameSizeLevels {
  readonly #proven: Proven[] = [];

  /** `listSize`: the values in every row of the column. */
  constructor(private readonly listSize: number) {}

  /**
   * Whether the levels `bytes[from, to)` of a page of `count` values, after `values` values of its
   * column chunk, are those of a proven page of the same count and phase.
   */
  has(bytes: Uint8Array, from: number, to: number, count: number, values: number): boolean {
    const phase = values % this.listSize;
    const chunkStart = values === 0;
    const length = to - from;
    for (const p of this.#proven) {
      if (p.count !== count || p.phase !== phase || p.chunkStart !== chunkStart || p.bytes.length !== length)
        continue;
      if (sameBytes(p.bytes, bytes, from, length)) return true;
    }
    return false;
  }

  /** Remembers the levels `bytes[from, to)` of a page just proven (see {@link has}); the oldest goes first. */
  add(bytes: Uint8Array, from: number, to: number, count: number, values: number): void {
    if (this.#proven.length >= KEPT) this.#proven.shift();
    this.#proven.push({
      count,
      phase: values % this.listSize,
      chunkStart: values === 0,
      bytes: bytes.slice(from, to),
    });
  }
}

/** Whether `a` equals `b[from, from + length)`; `a` holds `length` bytes. */
function sameBytes(a: Uint8Array, b: Uint8Array, from: number, length: number): boolean {
  let i = 0;
  // Four bytes at a time where both allow aligned views: the levels of a page are ~13 KB.
  if ((b.byteOffset + from) % 4 === 0 && a.byteOffset % 4 === 0) {
    const words = length >>> 2;
    const x = new Int32Array(a.buffer, a.byteOffset, words);
    const y = new Int32Array(b.buffer, b.byteOffset + from, words);
    for (let w = 0; w < words; w++) if (x[w] !== y[w]) return false;
    i = words * 4;
  }
  for (; i < length; i++) if (a[i] !== b[from + i]) return false;
  return true;
}
