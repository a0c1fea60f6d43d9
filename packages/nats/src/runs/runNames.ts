/**
 * The JetStream names of one distributed run: its work-queue stream, its subject, the durable
 * consumer workers pull from, and the KV bucket of its partial states. Everything a run creates is
 * named after its id, so concurrent runs never mix, and removing a run removes only its own.
 */
export interface RunNames {
  readonly run: string;
  readonly stream: string;
  readonly subject: string;
  readonly consumer: string;
  readonly bucket: string;
  /**
   * Core-NATS subject on which a worker says it has written a key of the bucket (an item's states,
   * its failure), once the server has stored it: the coordinator reads it then, not at its next
   * listing of the bucket.
   */
  readonly written: string;
}

/** Prefix of every run's stream: workers find runs by it. */
export const RUN_STREAM_PREFIX = 'LOSSFLOW_RUN_';

/** Subjects of every run's items (one per run: `lossflow.run.<id>.items`). */
export const RUN_ITEMS_WILDCARD = 'lossflow.run.*.items';

/** Core-NATS subject every worker answers on, so a coordinator can tell whether any is connected. */
export const WORKERS_PING_SUBJECT = 'lossflow.workers.ping';

/**
 * Core-NATS subject a coordinator publishes on once its items are queued: idle workers look for
 * runs at once instead of at their next idle round (a worker without it still finds them then).
 */
export const WORKERS_WAKE_SUBJECT = 'lossflow.workers.wake';

const RUN_ID = /^[A-Za-z0-9_-]{1,64}$/;

/** Whether `run` can name a run (letters, digits, `_`, `-`; JetStream names allow no dots or spaces). */
export function isRunId(run: string): boolean {
  return RUN_ID.test(run);
}

/**
 * The names of run `run`.
 *
 * @throws Error when `run` is not a valid run id (see {@link isRunId})
 * @example
 * runNames('nightly-7').stream; // 'LOSSFLOW_RUN_nightly-7'
 */
export function runNames(run: string): RunNames {
  if (!isRunId(run)) {
    throw new Error(`'${run}' is not a valid run id: use 1 to 64 letters, digits, '_' or '-'`);
  }
  return {
    run,
    stream: `${RUN_STREAM_PREFIX}${run}`,
    subject: `lossflow.run.${run}.items`,
    consumer: 'workers',
    bucket: `lossflow_run_${run}`,
    written: `lossflow.run.${run}.written`,
  };
}

/** A fresh run id: time and randomness, sortable by start. */
export function newRunId(): string {
  const random = Math.floor(Math.random() * 36 ** 6)
    .toString(36)
    .padStart(6, '0');
  return `${Date.now().toString(36)}-${random}`;
}
