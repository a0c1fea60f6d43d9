import { readFileSync } from 'node:fs';
import { MAX_THREADS } from '@lossflow/arrow/prestart';
import type { StateReduction } from '@lossflow/core';
import { UsageError } from '../errors/UsageError.js';
import { findLoss, kebabCase, LOSSES, type LossEntry, lossNames } from '../losses/lossRegistry.js';
import type { MetricSelection } from '../metrics/MetricSelection.js';
import { type FlagSpec, type FlagToken, hasFlag, lastValue, type ParsedArgv, parseArgv } from './argv.js';
import { didYouMean } from './didYouMean.js';
import {
  flagOfKey,
  genericOption,
  lossOptionFlagSpecs,
  lossOptionOf,
  parseValue,
} from './lossOptionFlags.js';
import {
  applyMetricFlag,
  METRIC_FLAG_SPECS,
  type MetricSlot,
  metricByName,
  metricSelection,
} from './metricArgs.js';

/** How results are printed on stdout. */
export type OutputFormat = 'table' | 'json' | 'csv' | 'ndjson';

/** The output formats, for validation and help. */
export const OUTPUT_FORMATS: readonly OutputFormat[] = ['table', 'json', 'csv', 'ndjson'];

/** One `--loss` with everything that applies to it. */
export interface LossSelection {
  readonly entry: LossEntry;
  readonly reduction: StateReduction;
  /** Core options given on the command line (camelCase keys), as reported in the JSON output. */
  readonly options: Readonly<Record<string, unknown>>;
  /** Columns given for its roles (`{ input: 'pred' }`); roles not given are auto-detected. */
  readonly columns: Readonly<Record<string, string>>;
}

/** A fully validated `lossflow eval` invocation. */
export interface EvalPlan {
  readonly files: readonly string[];
  readonly losses: readonly LossSelection[];
  readonly by: string | undefined;
  readonly format: OutputFormat;
  readonly report: string | undefined;
  readonly perRow: string | undefined;
  /** Columns copied next to the per-row losses. */
  readonly keys: readonly string[];
  readonly every: number | undefined;
  readonly quiet: boolean;
  readonly nulls: 'error' | 'skip';
  readonly limit: number | undefined;
  /** The column the report plots against (default `step` when the file has it). */
  readonly step: string | undefined;
  /** `--threads`: threads that read and compute, the main thread included (undefined: one per core). */
  readonly threads: number | undefined;
  /** `--allow-missing-end-of-stream`: an Arrow IPC stream without its end-of-stream marker reads as complete. */
  readonly allowMissingEndOfStream: boolean;
  /** `--metric NAME [options]`s, computed in the same pass (absent or empty: none). */
  readonly metrics?: readonly MetricSelection[];
  /** `--follow`: read Arrow IPC stream files while they grow, to their end-of-stream marker or Ctrl-C. */
  readonly follow?: boolean;
  /** `--max-groups`: distinct `--by` keys allowed (default: as many as fit the group memory budget). */
  readonly maxGroups?: number | undefined;
}

/** The most `--threads` accepted: the library's limit (more costs memory and start-up time, never speed). */
export { MAX_THREADS };

/** Every column role of every loss (`input`, `var`, `inputLengths`, …), as flags (`--input-lengths`). */
const ROLE_FLAGS = new Map<string, string>();
for (const e of LOSSES) for (const role of e.roles) ROLE_FLAGS.set(kebabCase(role), role);

/** The flags of `lossflow eval`. */
export const EVAL_FLAGS: Readonly<Record<string, FlagSpec>> = {
  loss: { type: 'string' },
  ...Object.fromEntries([...ROLE_FLAGS.keys()].map((f) => [f, { type: 'string' } as FlagSpec])),
  ...lossOptionFlagSpecs(),
  'weight-file': { type: 'string' },
  option: { type: 'string' },
  reduction: { type: 'string' },
  by: { type: 'string' },
  format: { type: 'string' },
  report: { type: 'string' },
  'per-row': { type: 'string' },
  keys: { type: 'string' },
  every: { type: 'string' },
  nulls: { type: 'string' },
  limit: { type: 'string' },
  step: { type: 'string' },
  threads: { type: 'string' },
  'max-groups': { type: 'string' },
  'allow-missing-end-of-stream': { type: 'boolean' },
  ...METRIC_FLAG_SPECS,
  follow: { type: 'boolean' },
  quiet: { type: 'boolean', short: 'q' },
  help: { type: 'boolean', short: 'h' },
};

/** What a loss-scoped flag sets: a column role, a core option, or the reduction. */
type Setting =
  | { kind: 'column'; role: string; column: string; flag: string }
  | { kind: 'option'; key: string; value: unknown; flag: string }
  | { kind: 'reduction'; value: string; flag: string };

/** What another eval command line (the live `lossflow eval --nats URL --subject S`) adds to eval's. */
export interface EvalArgsOptions {
  /** Flags it takes besides eval's (it reads them itself). */
  readonly flags?: Readonly<Record<string, FlagSpec>>;
  /** Whether FILE arguments are required (default) or refused (a live run is not read from files). */
  readonly files?: 'required' | 'none';
}

/**
 * Parses `lossflow eval` arguments. Loss options and columns given after a `--loss` apply to that
 * loss; given before the first `--loss`, they apply to every selected loss that takes them. Without
 * `--loss`, the loss is cross-entropy.
 *
 * @throws {UsageError} for anything that is not a valid invocation (exit code 2).
 */
export function parseEvalArgs(args: readonly string[], options: EvalArgsOptions = {}): EvalPlan {
  const parsed = parseArgv(
    args,
    options.flags === undefined ? EVAL_FLAGS : { ...EVAL_FLAGS, ...options.flags },
    'eval',
  );
  const slots: { entry: LossEntry; settings: Setting[] }[] = [];
  const shared: Setting[] = [];
  // Flags after a --metric apply to it, until the next --loss or --metric.
  const metricSlots: MetricSlot[] = [];
  let metric: MetricSlot | undefined;
  for (const token of parsed.flags) {
    if (token.name === 'loss') {
      slots.push({ entry: lossByName(String(token.value)), settings: [] });
      metric = undefined;
      continue;
    }
    if (options.flags?.[token.name] !== undefined) continue;
    if (token.name === 'metric') {
      metric = { entry: metricByName(String(token.value)), options: {}, columns: {} };
      metricSlots.push(metric);
      continue;
    }
    const metricOnly = token.name !== 'metric' && token.name in METRIC_FLAG_SPECS;
    const setting = metricOnly ? undefined : settingOf(token);
    if (metric !== undefined && (metricOnly || setting !== undefined)) applyMetricFlag(metric, token);
    else if (metricOnly)
      usage(`--${token.name} is a metric option: give it after the --metric it applies to.`);
    else if (setting !== undefined) (slots.at(-1)?.settings ?? shared).push(setting);
  }
  // Only --metric: no loss (an implicit cross-entropy would fail on, e.g., 0/1 Int64 targets).
  if (slots.length === 0 && metricSlots.length === 0)
    slots.push({ entry: findLoss('cross-entropy')!, settings: [] });
  if (slots.length === 0 && shared[0] !== undefined) {
    throw new UsageError(
      `${shared[0].flag} applies to a --loss, and only --metric was given: put it after the --metric it applies to, or add a --loss.`,
      'eval',
    );
  }

  for (const s of shared) {
    if (!slots.some((slot) => accepts(slot.entry, s)))
      throw notAccepted(s, slots[0]!.entry, slots.length > 1);
  }
  const losses = slots.map((slot) => {
    const options: Record<string, unknown> = {};
    const columns: Record<string, string> = {};
    let reduction: string = 'mean';
    const own = slot.settings;
    for (const s of own) if (!accepts(slot.entry, s)) throw notAccepted(s, slot.entry, false);
    for (const s of [...shared.filter((x) => accepts(slot.entry, x)), ...own]) {
      if (s.kind === 'column') columns[s.role] = s.column;
      else if (s.kind === 'option') options[s.key] = s.value;
      else reduction = s.value;
    }
    return { entry: slot.entry, reduction: checkReduction(slot.entry, reduction), options, columns };
  });

  const format = (lastValue(parsed, 'format') ?? 'table') as OutputFormat;
  if (!OUTPUT_FORMATS.includes(format)) {
    throw new UsageError(`--format takes one of ${OUTPUT_FORMATS.join(', ')} (got '${format}').`, 'eval');
  }
  const every = positiveInteger(parsed, 'every');
  if (every !== undefined && format !== 'csv' && format !== 'ndjson') {
    throw new UsageError(
      '--every streams running values as lines, so it needs --format csv or --format ndjson.',
      'eval',
    );
  }
  const perRow = lastValue(parsed, 'per-row');
  if (perRow !== undefined && losses.length === 0) {
    throw new UsageError('--per-row writes the losses of one --loss; add a --loss.', 'eval');
  }
  if (perRow !== undefined && losses.length > 1) {
    throw new UsageError('--per-row writes the losses of one --loss; run eval once per loss.', 'eval');
  }
  const nulls = lastValue(parsed, 'nulls') ?? 'error';
  if (nulls !== 'error' && nulls !== 'skip') {
    throw new UsageError(`--nulls takes error or skip (got '${nulls}').`, 'eval');
  }
  if (perRow !== undefined && nulls === 'skip') {
    throw new UsageError('--per-row needs every row, so it cannot be used with --nulls skip.', 'eval');
  }
  if (options.files === 'none' && parsed.positionals.length > 0) {
    throw new UsageError(
      `a live run is read from NATS, not from files (got '${parsed.positionals[0]}'): leave out --subject to evaluate files.`,
      'eval',
    );
  }
  if (options.files !== 'none' && parsed.positionals.length === 0) {
    throw new UsageError('eval needs at least one FILE (Arrow IPC stream or file, or Parquet).', 'eval');
  }
  const by = byFlag(lastValue(parsed, 'by'));
  const keysFlag = lastValue(parsed, 'keys');
  const keys = keysFlag !== undefined ? listOf(keysFlag) : by !== undefined ? listOf(by) : [];
  return {
    files: parsed.positionals,
    losses,
    by,
    format,
    report: lastValue(parsed, 'report'),
    perRow,
    keys,
    every,
    quiet: hasFlag(parsed, 'quiet'),
    nulls,
    limit: positiveInteger(parsed, 'limit'),
    step: lastValue(parsed, 'step'),
    threads: threadCount(parsed),
    allowMissingEndOfStream: hasFlag(parsed, 'allow-missing-end-of-stream'),
    ...(metricSlots.length === 0 ? {} : { metrics: metricSlots.map(metricSelection) }),
    follow: followFlag(parsed),
    ...maxGroupsFlag(parsed, by),
  };
}

/** `--max-groups N`, which bounds `--by`'s groups (see `GroupBudget` of `@lossflow/rx`). */
function maxGroupsFlag(parsed: ParsedArgv, by: string | undefined): { maxGroups?: number } {
  const n = positiveInteger(parsed, 'max-groups');
  if (n === undefined) return {};
  if (by === undefined) usage('--max-groups bounds the groups of --by; give --by KEY too.');
  return { maxGroups: n };
}

/**
 * `--by`'s names, checked: an empty name (`--by ','`, `a,,b`, a trailing comma) or a name given
 * twice (`a,a`) would group by a key that is not there or make two table columns of one key.
 */
function byFlag(by: string | undefined): string | undefined {
  if (by === undefined) return undefined;
  const names = by.split(',').map((s) => s.trim());
  if (names.some((n) => n === '')) {
    usage(
      `--by takes one name or several separated by commas, with no empty name (got '${by}'): e.g. --by epoch or --by run,epoch.`,
    );
  }
  const twice = names.find((n, i) => names.indexOf(n) !== i);
  if (twice !== undefined) usage(`--by names '${twice}' twice (got '${by}'): name each key once.`);
  return by;
}

function followFlag(parsed: ParsedArgv): boolean {
  if (!hasFlag(parsed, 'follow')) return false;
  if (parsed.positionals.includes('-')) {
    usage(
      '--follow reads files that are still being written; standard input (-) is read as it arrives anyway.',
    );
  }
  return true;
}

function lossByName(name: string): LossEntry {
  const entry = findLoss(name);
  if (entry !== undefined) return entry;
  const guess = didYouMean(kebabCase(name), lossNames());
  throw new UsageError(
    `unknown loss '${name}'.${guess !== undefined ? ` Did you mean ${guess}?` : ''} Losses: ${LOSSES.map((l) => l.name).join(', ')}.`,
    'eval',
  );
}

function settingOf(token: FlagToken): Setting | undefined {
  const flag = `--${token.name}`;
  const role = ROLE_FLAGS.get(token.name);
  if (role !== undefined) return { kind: 'column', role, column: String(token.value), flag };
  if (token.name === 'reduction') return { kind: 'reduction', value: String(token.value), flag };
  if (token.name === 'option') {
    const [key, value] = genericOption(String(token.value));
    return { kind: 'option', key, value, flag: `--option ${key}` };
  }
  if (token.name === 'weight-file')
    return { kind: 'option', key: 'weight', value: weightFile(String(token.value)), flag };
  const option = lossOptionOf(token.name, token.value);
  return option === undefined ? undefined : { kind: 'option', key: option[0], value: option[1], flag };
}

function accepts(entry: LossEntry, s: Setting): boolean {
  if (s.kind === 'column') return entry.roles.includes(s.role);
  if (s.kind === 'option') return entry.options.includes(s.key);
  return true;
}

function notAccepted(s: Setting, entry: LossEntry, several: boolean): UsageError {
  const who = several ? 'any selected loss' : entry.name;
  if (s.kind === 'column') {
    const roles = entry.roles.map((r) => `--${kebabCase(r)}`).join(', ');
    return new UsageError(`${s.flag} is not a column of ${who} (${entry.name} reads ${roles}).`, 'eval');
  }
  const takes = [...entry.options.map(flagOfKey), '--reduction'].join(', ');
  return new UsageError(
    `${s.flag} is not an option of ${who} (${entry.name} takes ${takes}). Options after a --loss apply to that loss.`,
    'eval',
  );
}

function checkReduction(entry: LossEntry, reduction: string): StateReduction {
  if ((entry.reductions as readonly string[]).includes(reduction)) return reduction as StateReduction;
  const hint = reduction === 'none' ? ' For per-row losses, use --per-row FILE.' : '';
  return usage(
    `--reduction for ${entry.name} takes ${entry.reductions.join(' or ')} (got '${reduction}').${hint}`,
  );
}

function weightFile(path: string): number[] {
  let doc: unknown;
  try {
    doc = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    return usage(`--weight-file ${path}: ${(e as Error).message}. It takes a JSON array of numbers.`);
  }
  const list = Array.isArray(doc) ? doc : (doc as { weight?: unknown } | null)?.weight;
  if (!Array.isArray(list) || !list.every((v) => typeof v === 'number' && Number.isFinite(v))) {
    return usage(`--weight-file ${path} must hold a JSON array of numbers (or { "weight": [...] }).`);
  }
  return list as number[];
}

function positiveInteger(parsed: ParsedArgv, name: string): number | undefined {
  const raw = lastValue(parsed, name);
  if (raw === undefined) return undefined;
  const n = parseValue(`--${name}`, 'integer', raw) as number;
  if (n < 1) usage(`--${name} takes a whole number of at least 1 (got '${raw}').`);
  return n;
}

function threadCount(parsed: ParsedArgv): number | undefined {
  const n = positiveInteger(parsed, 'threads');
  if (n !== undefined && n > MAX_THREADS) {
    usage(
      `--threads takes at most ${MAX_THREADS} (got '${lastValue(parsed, 'threads')}'); leave it out for one thread per core.`,
    );
  }
  return n;
}

function listOf(text: string): string[] {
  return text
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

function usage(message: string): never {
  throw new UsageError(message, 'eval');
}
