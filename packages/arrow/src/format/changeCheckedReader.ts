import type { ByteReader } from '../io/ByteReader.js';
import { changedOr } from '../io/changedOr.js';
import type { FormatReader } from './FormatReader.js';

/**
 * Opens a format reader over `bytes` (`open`) so that it checks the file did not change while it
 * was read (`ByteReader.verifyUnchanged`): after each batch, before its end is reported, and when it
 * fails (a file rewritten mid-read often looks damaged: `CHANGED` says why, its cause the reader's
 * error; see `changedOr`). Inputs that cannot change (memory, streams, a private spilled copy) are
 * read as `open` returns them.
 *
 * @example
 * return changeCheckedReader(bytes, () => openIpcStream(bytes, options));
 */
export async function changeCheckedReader(
  bytes: ByteReader,
  open: () => Promise<FormatReader>,
): Promise<FormatReader> {
  const verify = bytes.verifyUnchanged?.bind(bytes);
  if (verify === undefined) return open();
  let source: FormatReader;
  try {
    source = await open();
  } catch (e) {
    throw await changedOr(e, verify);
  }
  return {
    schema: source.schema,
    bytesRead: () => source.bytesRead(),
    close: () => source.close(),
    async next() {
      let batch: Awaited<ReturnType<FormatReader['next']>>;
      try {
        batch = await source.next();
      } catch (e) {
        throw await changedOr(e, verify);
      }
      await verify();
      return batch;
    },
  };
}
