import { JetStreamApiCodes, JetStreamApiError, type JetStreamManager } from '@nats-io/jetstream';

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

/**
 * Whether `stream` is gone from a server that answers (an unreachable server is not "gone"):
 * asked only after an operation failed, to tell a removed run from a lost connection.
 *
 * @example
 * if (await streamRemoved(jsm, 'LOSSFLOW_RUN_nightly')) throw runRemoved();
 */
export async function streamRemoved(jsm: JetStreamManager, stream: string): Promise<boolean> {
  return jsm.streams.info(stream).then(
    () => false,
    (e: unknown) => isStreamNotFound(e),
  );
}
