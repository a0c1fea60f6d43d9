import type { JetStreamManager } from '@nats-io/jetstream';
import { LiveRunError } from './LiveRunError.js';
import { holdsLiveRun, isLiveSubject, isRunId, liveStreamName, liveStreamPrefix } from './liveWire.js';

/** A run found on the server. */
export interface FoundRun {
  readonly run: string;
  readonly stream: string;
  /** Messages stored so far (batch messages and the end marker). */
  readonly messages: number;
}

/**
 * The run `run` on `subject`, or without a run id the newest one (by its stream's creation time).
 *
 * @throws {LiveRunError} `INVALID_OPTION` for a subject or run id that cannot name a run,
 *   `NO_RUN` when there is no such run.
 */
export async function findRun(jsm: JetStreamManager, subject: string, run?: string): Promise<FoundRun> {
  if (!isLiveSubject(subject)) {
    throw new LiveRunError('INVALID_OPTION', `'${subject}' cannot carry live runs`, {
      hint: 'A subject is dot-separated tokens of letters, digits, _ and - (no wildcards), e.g. train.preds.',
    });
  }
  if (run !== undefined) {
    if (!isRunId(run)) {
      throw new LiveRunError('INVALID_OPTION', `'${run}' cannot name a run`, {
        hint: 'A run id is 1 to 64 letters, digits, _ and -.',
      });
    }
    const stream = liveStreamName(subject, run);
    try {
      const info = await jsm.streams.info(stream);
      if (!holdsLiveRun(info.config.subjects, subject, run)) {
        throw new Error(`stream ${stream} holds ${info.config.subjects?.join(', ')}, another run`);
      }
      return { run, stream, messages: info.state.messages };
    } catch (e) {
      throw new LiveRunError('NO_RUN', `there is no run '${run}' on '${subject}'`, {
        subject,
        run,
        stream,
        cause: e,
        hint: 'Check the subject and run id the publisher printed; a finished run was removed unless it was read with --keep.',
      });
    }
  }
  const prefix = liveStreamPrefix(subject);
  let newest: { run: string; stream: string; created: string; messages: number } | undefined;
  for await (const info of jsm.streams.list()) {
    const name = info.config.name;
    if (!name.startsWith(prefix)) continue;
    const id = name.slice(prefix.length);
    // `LOSSFLOW_LIVE_a_b_c` may be run `c` of subject `a_b`, not run `b_c` of `a`.
    if (!isRunId(id) || !holdsLiveRun(info.config.subjects, subject, id)) continue;
    if (newest === undefined || info.created > newest.created) {
      newest = { run: id, stream: name, created: info.created, messages: info.state.messages };
    }
  }
  if (newest === undefined) {
    throw new LiveRunError('NO_RUN', `there is no run on '${subject}'`, {
      subject,
      hint: 'Start the publisher first, or check the subject it publishes on.',
    });
  }
  return { run: newest.run, stream: newest.stream, messages: newest.messages };
}
