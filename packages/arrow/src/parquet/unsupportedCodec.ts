import { ArrowReadError } from '../errors/ArrowReadError.js';

/** A Parquet column chunk compressed with a codec the decoder was built without: row group, column path, codec. */
export type UnsupportedCodec = readonly [rowGroup: number, path: string, codec: string];

/**
 * Fails before any row is decoded when a column that will be read has a chunk in an unsupported
 * codec (the decoder would trap on it rather than fail).
 *
 * @param reads whether the top-level column of that name is read
 * @throws {ArrowReadError} `UNSUPPORTED`, naming the first such chunk's row group and column
 */
export function rejectUnsupportedCodecs(
  unsupported: readonly UnsupportedCodec[],
  reads: (column: string) => boolean,
  file: string,
): void {
  const bad = unsupported.find(([, path]) => reads(path.split('.')[0]!));
  if (bad === undefined) return;
  const [rowGroup, path, codec] = bad;
  throw new ArrowReadError(
    'UNSUPPORTED',
    `column chunk '${path}' is compressed with ${codec}, which cannot be decoded`,
    {
      file,
      rowGroup,
      column: path.split('.')[0]!,
      hint: 'Write the file with SNAPPY, ZSTD, GZIP, LZ4_RAW, BROTLI or no compression.',
    },
  );
}
