/**
 * The index of each row's first value in a list column chunk, in a buffer reused from chunk to
 * chunk (it grows to the largest row group and stays).
 */
export class RowStarts {
  #starts = new Int32Array(1024);
  length = 0;

  /** Forgets the rows, keeping the buffer. */
  reset(): void {
    this.length = 0;
  }

  push(start: number): void {
    if (this.length === this.#starts.length) {
      const grown = new Int32Array(this.#starts.length * 2);
      grown.set(this.#starts);
      this.#starts = grown;
    }
    this.#starts[this.length++] = start;
  }

  /** Adds `starts`, all at once. */
  append(starts: Int32Array): void {
    if (this.length + starts.length > this.#starts.length) {
      const grown = new Int32Array(Math.max(2 * this.#starts.length, this.length + starts.length));
      grown.set(this.#starts.subarray(0, this.length));
      this.#starts = grown;
    }
    this.#starts.set(starts, this.length);
    this.length += starts.length;
  }

  /** The starts so far, as a view (valid until the next `push` or `reset`). */
  view(): Int32Array {
    return this.#starts.subarray(0, this.length);
  }
}
