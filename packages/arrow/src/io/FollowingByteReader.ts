import { ChunkByteReader } from './ChunkByteReader.js';

/**
 * The {@link ChunkByteReader} of a file followed while it grows (over `followFile`'s chunks): it
 * says so (`follows`), so the stream reader stops at the end-of-stream marker instead of waiting
 * for bytes after it.
 */
export class FollowingByteReader extends ChunkByteReader {
  readonly follows = true;
}
