import { natsServersOf, type RunInfo, redactNatsUrl } from '@lossflow/nats';
import type { NatsConnectOptions } from '@lossflow/nats/node';
import { type FlagSpec, hasFlag, lastValue, parseArgv, wantsHelp } from '../args/argv.js';
import { RUNS_HELP } from '../args/helpText.js';
import { NATS_CONNECT_FLAGS, natsConnectOptionsOf } from '../args/natsConnectFlags.js';
import { durationMs } from '../args/streamLimitFlags.js';
import { describeFailure } from '../errors/describeFailure.js';
import { UsageError } from '../errors/UsageError.js';
import { natsFailure } from '../nats/natsFailure.js';
import type { CliIo } from '../output/cliIo.js';
import { formatBytes, formatCount, formatCounted } from '../output/numberFormat.js';
import { renderTable } from '../output/textTable.js';
import { fullRunName, runsNamed, shownRunName } from './runNames.js';

/** The flags of `lossflow runs` and `lossflow runs rm`. */
const RUNS_FLAGS: Readonly<Record<string, FlagSpec>> = {
  ...NATS_CONNECT_FLAGS,
  format: { type: 'string' },
  'all-finished': { type: 'boolean' },
  'older-than': { type: 'string' },
};

/** What `lossflow runs rm` removes: the runs named, and those the selection flags pick. */
interface Removal {
  readonly ids: readonly string[];
  readonly allFinished: boolean;
  readonly olderThanMs: number | undefined;
}

/**
 * `lossflow runs [--nats URL] [--format table|json]` lists the runs a NATS server keeps
 * (distributed and live, finished or not); `lossflow runs rm ID… [--all-finished]
 * [--older-than DURATION]` removes runs (their streams and KV bucket, `removeRun`), each ID a run
 * id or a full name (`SUBJECT.RUN`, `distributed:ID`; see `fullRunName`).
 *
 * Every ID is checked before any run is removed. Failures print nothing on stdout, with
 * `--format json` too (no command prints a JSON error): the message goes to stderr.
 *
 * @returns the exit code: 0, 1 (the server cannot be reached) or 2 (bad usage, or an ID that names
 *   no run or several runs: nothing is removed)
 */
export async function runsCommand(args: readonly string[], io: CliIo): Promise<number> {
  if (wantsHelp(args)) {
    io.stdout.write(RUNS_HELP);
    return 0;
  }
  let connect: NatsConnectOptions;
  let format: 'table' | 'json';
  let removal: Removal | undefined;
  try {
    const parsed = parseArgv(args, RUNS_FLAGS, 'runs');
    const [sub, ...ids] = parsed.positionals;
    const formatFlag = lastValue(parsed, 'format') ?? 'table';
    if (formatFlag !== 'table' && formatFlag !== 'json') {
      throw new UsageError(`--format takes table or json (got '${formatFlag}').`, 'runs');
    }
    format = formatFlag;
    const olderThan = lastValue(parsed, 'older-than');
    const allFinished = hasFlag(parsed, 'all-finished');
    if (sub === 'rm') {
      removal = {
        ids,
        allFinished,
        olderThanMs: olderThan === undefined ? undefined : durationMs(olderThan, '--older-than', 'runs'),
      };
      if (ids.length === 0 && !allFinished && olderThan === undefined) {
        throw new UsageError(
          'runs rm needs the runs to remove: their IDs (as lossflow runs lists them), --all-finished or --older-than DURATION.',
          'runs',
        );
      }
    } else if (sub !== undefined) {
      throw new UsageError(
        `runs takes no argument but rm (got '${sub}'); remove runs with: lossflow runs rm ID...`,
        'runs',
      );
    } else if (allFinished || olderThan !== undefined) {
      throw new UsageError(
        `--${allFinished ? 'all-finished' : 'older-than'} selects runs to remove: use it with lossflow runs rm.`,
        'runs',
      );
    }
    connect = { ...natsConnectOptionsOf(parsed, io.env), name: 'lossflow runs' };
  } catch (error) {
    const failure = describeFailure(error, { command: 'runs' });
    io.stderr.write(`${failure.message}\n`);
    return failure.exitCode;
  }
  const servers = natsServersOf({ servers: connect.servers, env: io.env });
  const nats = await import('@lossflow/nats/node');
  let nc: Awaited<ReturnType<typeof nats.connectNats>> | undefined;
  try {
    nc = await nats.connectNats(connect);
    const runs = await nats.describeRuns(nc);
    const now = Date.now();
    if (removal === undefined) {
      io.stdout.write(format === 'json' ? runsJson(runs, now) : runsTable(runs, now, redactNatsUrl(servers)));
      return 0;
    }
    const { chosen, unknown, ambiguous } = chooseRuns(runs, removal, now);
    // Every ID is checked before any run is removed: a typo among the IDs removes nothing.
    if (ambiguous.length > 0 || unknown.length > 0) {
      // Removing every run a shared id names would delete other jobs' runs.
      for (const { id, named } of ambiguous) {
        io.stderr.write(
          `lossflow runs: '${id}' names ${named.length} runs: ${named.map((r) => `${fullRunName(r)} (${r.kind})`).join(', ')}. Nothing was removed; name the one to remove in full, e.g. lossflow runs rm ${fullRunName(named[0]!)}. Run 'lossflow runs --help' for usage.\n`,
        );
      }
      if (unknown.length > 0) {
        io.stderr.write(
          `lossflow runs: no run ${unknown.map((id) => `'${id}'`).join(', ')} on ${redactNatsUrl(servers)}; list them with: lossflow runs. Nothing was removed.\n`,
        );
      }
      return 2;
    }
    const removed: RunInfo[] = [];
    for (const run of chosen) {
      const which = run.kind === 'live' ? { subject: run.subject, run: run.run } : { distributed: run.run };
      if (await nats.removeRun(nc, which)) removed.push(run);
    }
    if (format === 'json') io.stdout.write(runsJson(removed, now));
    else for (const run of removed) io.stdout.write(`removed ${run.kind} run ${runName(run)}\n`);
    if (removed.length === 0 && format === 'table') io.stderr.write('lossflow runs: no run to remove.\n');
    return 0;
  } catch (error) {
    const failure =
      natsFailure(error, 'runs', servers, io.env) ?? describeFailure(error, { command: 'runs' });
    io.stderr.write(`${failure.message}\n`);
    return failure.exitCode;
  } finally {
    await nc?.close().catch(() => undefined);
  }
}

/**
 * The runs `removal` picks: the one each ID names (a run id, or a full name: `SUBJECT.RUN`,
 * `distributed:ID`), and those the selection flags pick (both flags: finished **and** older). An
 * ID that names several runs is `ambiguous`, one that names none `unknown`.
 */
function chooseRuns(
  runs: readonly RunInfo[],
  removal: Removal,
  now: number,
): { chosen: RunInfo[]; unknown: string[]; ambiguous: { id: string; named: RunInfo[] }[] } {
  const chosen = new Set<RunInfo>();
  const unknown: string[] = [];
  const ambiguous: { id: string; named: RunInfo[] }[] = [];
  for (const id of removal.ids) {
    const named = runsNamed(runs, id);
    if (named.length === 0) unknown.push(id);
    else if (named.length > 1) ambiguous.push({ id, named });
    else chosen.add(named[0]!);
  }
  if (removal.allFinished || removal.olderThanMs !== undefined) {
    for (const r of runs) {
      const old = removal.olderThanMs === undefined || now - Date.parse(r.created) > removal.olderThanMs;
      if (old && (!removal.allFinished || r.finished)) chosen.add(r);
    }
  }
  return { chosen: [...chosen], unknown, ambiguous };
}

/**
 * `{ "runs": [...] }`: each run as `describeRuns` describes it, with its full `name` (what
 * `lossflow runs rm` takes even when runs share an id) and its age in milliseconds.
 */
function runsJson(runs: readonly RunInfo[], now: number): string {
  const out = runs.map((r) => ({
    ...r,
    name: fullRunName(r),
    ageMs: Math.max(0, now - Date.parse(r.created)),
  }));
  return `${JSON.stringify({ runs: out }, null, 2)}\n`;
}

function runsTable(runs: readonly RunInfo[], now: number, servers: string): string {
  if (runs.length === 0) return `No runs on ${servers}.\n`;
  const rows = runs.map((r) => [
    shownRunName(r, runs),
    r.kind === 'live' ? `live (${r.subject})` : 'distributed',
    age(now - Date.parse(r.created)),
    r.kind === 'live'
      ? `${formatCounted(r.messages, 'message', 'messages')}, ${formatBytes(r.bytes)}`
      : `${formatCount(r.itemsDone)}/${r.items === null ? '?' : formatCount(r.items)} ${r.items === 1 ? 'item' : 'items'}${r.itemsFailed > 0 ? `, ${formatCount(r.itemsFailed)} failed` : ''}`,
    r.failed ? 'failed' : r.finished ? 'yes' : 'no',
  ]);
  return renderTable(
    [
      { header: 'RUN', align: 'left' },
      { header: 'KIND', align: 'left' },
      { header: 'AGE', align: 'right' },
      { header: 'DONE', align: 'right' },
      { header: 'FINISHED', align: 'left' },
    ],
    rows,
  );
}

/** How a run is named in messages: a live run with its subject. */
function runName(run: RunInfo): string {
  return run.kind === 'live' ? `${run.run} on ${run.subject}` : run.run;
}

/** An age for people: `45s`, `12m`, `3h`, `2d`. */
function age(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m`;
  if (s < 86_400) return `${Math.floor(s / 3600)}h`;
  return `${Math.floor(s / 86_400)}d`;
}
