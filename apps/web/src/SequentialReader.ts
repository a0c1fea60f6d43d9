import { blobReadFailure } from '@lossflow/arrow';
/**
 * Gaps up to this many bytes between one read and the next are read through and dropped: a new
 * stream costs more than that (Chromium's stream of a `File` starts slowly).
 */
export const SKIP_BYTES = 16 * 1024 * 1024;

/** Bytes read from the file into a buffer: `got` is less than asked where the file ends. */
export interface SequentialBytes {
  /** The buffer given, filled from its start (a BYOB read hands it back as a new `ArrayBuffer`). */
  readonly buffer: ArrayBuffer;
  readonly got: number;
}

/**
 * Reads spans of a `File` in file order from one byte stream over the rest of the file, with a
 * BYOB reader that fills the caller's buffer in place. Chromium streams a `File` from its own
 * process and each stream starts slowly, so one stream over many spans reads a file 2–3 times
 * faster than a slice's stream per span. A span that starts before the stream's position, or far
 * after it, opens a new stream there.
 *
 * @example
 * const reader = new SequentialReader(file);
 * const { buffer, got } = await reader.read(new ArrayBuffer(n), position, n);
 * await reader.close();
 */
export class SequentialReader {
  #reader: ReadableStreamBYOBReader | undefined;
  /** The file position of the stream's next byte. */
  #position = 0;
  #ended = false;

  constructor(private readonly file: Blob) {}

  /** Reads `length` bytes at `position` into the start of `buffer` (which must hold them). */
  async read(buffer: ArrayBuffer, position: number, length: number): Promise<SequentialBytes> {
    if (this.#reader === undefined || position < this.#position || position - this.#position > SKIP_BYTES) {
      await this.close();
      this.#reader = this.file.slice(position).stream().getReader({ mode: 'byob' });
      this.#position = position;
      this.#ended = false;
    }
    let into = buffer;
    // Read through a small gap, into the buffer the span then overwrites.
    while (!this.#ended && this.#position < position) {
      const skip = Math.min(position - this.#position, into.byteLength);
      into = (await this.#fill(into, skip)).buffer;
    }
    if (this.#ended) return { buffer: into, got: 0 };
    return this.#fill(into, length);
  }

  /** Fills `buffer` from its start with up to `length` bytes of the stream. */
  async #fill(buffer: ArrayBuffer, length: number): Promise<SequentialBytes> {
    const reader = this.#reader!;
    let into = buffer;
    let got = 0;
    while (got < length) {
      const next = await reader.read(new Uint8Array(into, got, length - got)).catch((e: unknown) => {
        throw blobReadFailure(e, this.file instanceof File ? this.file.name : undefined);
      });
      // The stream takes the buffer and hands it back filled (a transfer, not a copy).
      if (next.value !== undefined) {
        into = next.value.buffer as ArrayBuffer;
        got += next.value.byteLength;
      }
      if (next.done) {
        this.#ended = true;
        break;
      }
    }
    this.#position += got;
    return { buffer: into, got };
  }

  /** Ends the stream (the file is read no further). */
  async close(): Promise<void> {
    const reader = this.#reader;
    this.#reader = undefined;
    if (reader !== undefined) await reader.cancel().catch(() => undefined);
  }
}
