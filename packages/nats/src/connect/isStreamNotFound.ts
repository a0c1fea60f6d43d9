import { JetStreamApiCodes, JetStreamApiError } from '@nats-io/jetstream';

/**
 * Whether `e` (or an error it was caused by) is the server saying a stream does not exist: a run
 * removed while in use (`lossflow runs rm`). Unlike a lost connection, waiting cannot mend it, so
 * callers fail at once instead of retrying.
 *
 * @example
 * await jsm.streams.info(name).catch((e) => { if (isStreamNotFound(e)) throw gone(); });
 */
export function isStreamNotFound(e: unknown, depth = 0): boolean {
  if (!(e instanceof Error) || depth > 4) return false;
  if (e instanceof JetStreamApiError && e.code === JetStreamApiCodes.StreamNotFound) return true;
  if (e.name === 'StreamNotFoundError' || /\bstream not found\b/i.test(e.message)) return true;
  return isStreamNotFound(e.cause, depth + 1);
}
