import { blobReadFailure } from '@lossflow/arrow';
import type { ReadRegion } from './ReadRegion.js';

/** A region's bytes as read: its buffer, and how many bytes of each segment the file had. */
export interface RegionBytes {
  /** The segments at their buffer positions; valid until the reader's next `read`. */
  readonly buffer: Uint8Array;
  /** Bytes read of each segment: its length, or less where the file ends inside it. */
  readonly got: readonly number[];
}

/**
 * Reads the segments of {@link ReadRegion}s from a `File` into one buffer that is reused from
 * region to region and grown rarely (fresh memory is slow to touch): each segment through the
 * slice's byte stream with a BYOB reader, which fills the buffer in place. In Chromium that reads a
 * file several times faster than `slice().arrayBuffer()` or `FileReaderSync`, which allocate a new
 * buffer for every read; and a region's few big reads cost far fewer round trips to the browser's
 * process than a read per plan.
 *
 * @example
 * const { buffer, got } = await reader.read(file, region);
 */
export class RegionReader {
  #buffer = new ArrayBuffer(0);

  /** Reads the region's segments; a file that ends early leaves the rest short (see `got`). */
  async read(file: Blob, region: ReadRegion): Promise<RegionBytes> {
    if (this.#buffer.byteLength < region.bytes)
      this.#buffer = new ArrayBuffer(Math.max(region.bytes, 2 * this.#buffer.byteLength));
    const segments = region.segments;
    const got: number[] = [];
    let short = false;
    for (let i = 0; i < segments.length; i += 3) {
      const position = segments[i]!;
      const length = segments[i + 1]!;
      const at = segments[i + 2]!;
      // Segments come in file order: past a short one the file has nothing more.
      if (short) {
        got.push(0);
        continue;
      }
      const reader = file
        .slice(position, position + length)
        .stream()
        .getReader({ mode: 'byob' });
      let done = 0;
      try {
        while (done < length) {
          // The stream takes the buffer and hands it back filled (a transfer, not a copy).
          const next = await reader
            .read(new Uint8Array(this.#buffer, at + done, length - done))
            .catch((e: unknown) => {
              throw blobReadFailure(e, file instanceof File ? file.name : undefined);
            });
          if (next.value !== undefined) {
            this.#buffer = next.value.buffer as ArrayBuffer;
            done += next.value.byteLength;
          }
          if (next.done) break;
        }
      } finally {
        reader.releaseLock();
      }
      got.push(done);
      short = done < length;
    }
    return { buffer: new Uint8Array(this.#buffer, 0, region.bytes), got };
  }
}
