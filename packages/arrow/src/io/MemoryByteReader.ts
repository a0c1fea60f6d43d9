import type { ByteReader } from './ByteReader.js';

/**
 * A {@link ByteReader} over bytes already in memory: reads are views, never copies, so batches read
 * from it share the caller's buffer.
 *
 * @example
 * const r = new MemoryByteReader(await readFile('log.arrow'));
 */
export class MemoryByteReader implements ByteReader {
  readonly name: string;
  readonly path = undefined;
  readonly totalBytes: number;
  bytesRead = 0;
  readonly reuses = false;
  ended = false;
  private bytes: Uint8Array;
  position = 0;

  constructor(bytes: Uint8Array, name = '<bytes>') {
    this.name = name;
    this.bytes = bytes;
    this.totalBytes = bytes.length;
  }

  async peek(n: number): Promise<Uint8Array> {
    return this.bytes.subarray(this.position, this.position + n);
  }

  async read(n: number): Promise<Uint8Array> {
    const out = this.bytes.subarray(this.position, this.position + n);
    this.position += out.length;
    this.bytesRead += out.length;
    if (out.length < n) this.ended = true;
    return out;
  }

  async readInto(target: Uint8Array, offset: number, length: number, position: number): Promise<number> {
    const src = this.bytes.subarray(position, position + length);
    target.set(src, offset);
    this.bytesRead += src.length;
    if (src.length < length) this.ended = true;
    return src.length;
  }

  async close(): Promise<void> {
    this.bytes = new Uint8Array(0);
  }
}
