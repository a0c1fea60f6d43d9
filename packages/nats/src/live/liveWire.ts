/**
 * The wire format of a live run (version {@link LIVE_WIRE_VERSION}), as `publishBatches` writes and
 * `fromJetStream` reads it:
 *
 * - Subject `SUBJECT.RUN`, stored in the stream {@link liveStreamName}`(SUBJECT, RUN)`, one stream per run.
 * - Each batch message: the body is one Arrow IPC stream (schema, one record batch, end-of-stream);
 *   headers `Lossflow-Live: 1` (the version), `Lossflow-Kind: batch`, `Lossflow-Seq: N` (0, 1, 2, …
 *   over the run's batch messages) and `Nats-Msg-Id: RUN/N`, so a retried publish is stored once.
 * - The end-of-run marker: an empty body, `Lossflow-Kind: end`, `Lossflow-Batches: COUNT` (how many
 *   batch messages the run has, so a reader tells a complete run from one with a gap) and
 *   `Nats-Msg-Id: RUN/end`.
 * - Or, instead, the failure marker of a publisher that failed or was stopped after it claimed the
 *   run: `Lossflow-Kind: failed`, its reason as the body (UTF-8 text) and `Nats-Msg-Id: RUN/end`,
 *   so readers fail with that reason instead of waiting for an end that never comes.
 *
 * Python publishers (nats-py + pyarrow) write the same headers; see the package README.
 */
export const LIVE_WIRE_VERSION = 1;

/** Header names of the live wire format. */
export const LIVE_HEADERS = {
  version: 'Lossflow-Live',
  kind: 'Lossflow-Kind',
  seq: 'Lossflow-Seq',
  batches: 'Lossflow-Batches',
  msgId: 'Nats-Msg-Id',
} as const;

/** A run id: one NATS subject token that is also valid in a stream name. */
const RUN_ID = /^[A-Za-z0-9_-]{1,64}$/;

/** A subject of plain tokens (no wildcards), as a live run is published under. */
const SUBJECT = /^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$/;

/** Whether `run` can name a run (letters, digits, `_` and `-`, at most 64). */
export function isRunId(run: string): boolean {
  return RUN_ID.test(run);
}

/** Whether `subject` can carry live runs (dot-separated tokens of letters, digits, `_`, `-`). */
export function isLiveSubject(subject: string): boolean {
  return SUBJECT.test(subject) && subject.length <= 128;
}

/** The subject a run's messages are published on: `SUBJECT.RUN`. */
export function runSubject(subject: string, run: string): string {
  return `${subject}.${run}`;
}

/**
 * The stream that holds one run: `LOSSFLOW_LIVE_<subject with dots as ~>_<run>`, so concurrent runs
 * never share a stream and removing a finished run removes its stream only. The subject's dots become
 * `~`, which a subject token of a live run cannot hold, so two subjects never map to one name.
 */
export function liveStreamName(subject: string, run: string): string {
  return `${liveStreamPrefix(subject)}${run}`;
}

/**
 * Whether a stream whose configured subjects are `subjects` holds run `run` of `subject`. Names alone
 * cannot tell: subject `a_b` with run `c` and subject `a` with run `b_c` share the stream name
 * `LOSSFLOW_LIVE_a_b_c`, so finding, following or removing a run checks the stream's subject too.
 *
 * @example
 * if (!holdsLiveRun(info.config.subjects, 'train.preds', 'job-7')) throw noRun();
 */
export function holdsLiveRun(subjects: readonly string[] | undefined, subject: string, run: string): boolean {
  return subjects?.length === 1 && subjects[0] === runSubject(subject, run);
}

/** The prefix of every stream of runs on `subject` (to list them). */
export function liveStreamPrefix(subject: string): string {
  return `LOSSFLOW_LIVE_${subject.replaceAll('.', '~')}_`;
}

/**
 * A new run id: the UTC time to the second and 6 random hex digits (`20261205T124758Z-3fa9c1`), so
 * ids sort by start time and two publishers starting the same second do not collide.
 */
export function newRunId(now: Date = new Date()): string {
  const stamp = now
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z');
  const random = Math.floor(Math.random() * 0x1000000)
    .toString(16)
    .padStart(6, '0');
  return `${stamp}-${random}`;
}
