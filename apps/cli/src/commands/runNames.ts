import type { RunInfo } from '@lossflow/nats';

/** The prefix of a distributed run's full name: `distributed:ID` (a run id has no `:` and no `.`). */
const DISTRIBUTED_PREFIX = 'distributed:';

/**
 * A run's full name, which names it alone on a server: `SUBJECT.RUN` for a live run (the subject
 * its messages are on), `distributed:ID` for a distributed run. Run ids have no dots, so the two
 * forms never meet, and neither is a bare id.
 *
 * @example
 * fullRunName({ kind: 'live', subject: 'train.preds', run: 'job-7', … }); // 'train.preds.job-7'
 */
export function fullRunName(run: RunInfo): string {
  return run.kind === 'live' ? `${run.subject}.${run.run}` : `${DISTRIBUTED_PREFIX}${run.run}`;
}

/**
 * How `lossflow runs` shows a run among `runs`: its bare id while no other run has that id, else
 * its full name ({@link fullRunName}), which is what `lossflow runs rm` then needs.
 */
export function shownRunName(run: RunInfo, runs: readonly RunInfo[]): string {
  return runs.some((r) => r !== run && r.run === run.run) ? fullRunName(run) : run.run;
}

/**
 * The runs `name` picks: a full name picks its one run; a bare id picks every run with that id
 * (several when live runs on different subjects, or a live and a distributed run, share it: the
 * caller must refuse those rather than remove them all).
 */
export function runsNamed(runs: readonly RunInfo[], name: string): RunInfo[] {
  return runs.filter((r) => r.run === name || fullRunName(r) === name);
}
