import { ChunkByteReader } from './ChunkByteReader.js';

/**
 * The {@link ChunkByteReader} of a file followed while it grows (over `followFile`'s chunks): it
 * says so (`follows`), so the stream reader stops at the end-of-stream marker instead of waiting
 * for bytes after it, and tells the bytes already there from bytes still to come ({@link presentBytes}).
 */
export class FollowingByteReader extends ChunkByteReader {
  readonly follows = true;

  /**
   * How many unread bytes are in the file now, without waiting for more (0 when the reader is
   * at the file's current end): `followFile` yields an empty chunk when it reaches that end.
   */
  async presentBytes(): Promise<number> {
    while (this.queued === 0 && !this.ended) {
      const chunk = await this.pull();
      if (chunk === undefined) {
        this.ended = true;
        break;
      }
      if (chunk.length === 0) break;
      this.chunks.push(chunk);
      this.queued += chunk.length;
      this.bytesRead += chunk.length;
    }
    return this.queued;
  }
}
