/** The three on-disk layouts `readBatches` understands. */
export type FileFormat = 'arrow-stream' | 'arrow-file' | 'parquet';

/** How many leading bytes {@link detectFormat} needs to decide. */
export const MAGIC_BYTES = 8;

/**
 * The format of a file from its first bytes (at least 4; 8 to recognise an Arrow IPC file), or
 * `undefined` when they match none. The file name plays no part: `.arrow` is used for both IPC
 * layouts, and logs are often renamed.
 *
 * - Parquet starts with `PAR1`.
 * - An Arrow IPC file starts with `ARROW1` and two padding bytes.
 * - An Arrow IPC stream starts with the continuation marker `0xFFFFFFFF` (Arrow ≥ 0.15). Streams of
 *   older writers, which start directly with a length, are not recognised.
 *
 * @example
 * detectFormat(new TextEncoder().encode('PAR1....')); // 'parquet'
 */
export function detectFormat(head: Uint8Array): FileFormat | undefined {
  if (head.length >= 4 && head[0] === 0x50 && head[1] === 0x41 && head[2] === 0x52 && head[3] === 0x31) {
    return 'parquet';
  }
  if (
    head.length >= 6 &&
    head[0] === 0x41 &&
    head[1] === 0x52 &&
    head[2] === 0x52 &&
    head[3] === 0x4f &&
    head[4] === 0x57 &&
    head[5] === 0x31
  ) {
    return 'arrow-file';
  }
  if (head.length >= 4 && head[0] === 0xff && head[1] === 0xff && head[2] === 0xff && head[3] === 0xff) {
    return 'arrow-stream';
  }
  return undefined;
}
