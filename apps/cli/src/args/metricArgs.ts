import { LossError, METRICS, type MetricDescriptor, type MetricName } from '@lossflow/core';
import { checkMetricOptions } from '@lossflow/rx/options';
import { flagWording } from '../errors/flagWording.js';
import { UsageError } from '../errors/UsageError.js';
import type { MetricSelection } from '../metrics/MetricSelection.js';
import { METRIC_OPTION_FLAGS } from '../metrics/metricOptionFlags.js';
import type { FlagSpec, FlagToken } from './argv.js';
import { didYouMean } from './didYouMean.js';
import { lossOptionOf, parseValue } from './lossOptionFlags.js';

/** The flag specs `lossflow eval` adds for metrics. */
export const METRIC_FLAG_SPECS: Readonly<Record<string, FlagSpec>> = {
  metric: { type: 'string' },
  ...Object.fromEntries(Object.keys(METRIC_OPTION_FLAGS).map((f) => [f, { type: 'string' } as FlagSpec])),
};

/** The metric of a `--metric NAME` (kebab-case CLI name or core name). */
export function metricByName(name: string): MetricDescriptor {
  const all = Object.values(METRICS) as MetricDescriptor[];
  const found = all.find((m) => m.cliName === name || m.name === name);
  if (found !== undefined) return found;
  const guess = didYouMean(
    name,
    all.map((m) => m.cliName),
  );
  throw new UsageError(
    `unknown metric '${name}'.${guess !== undefined ? ` Did you mean ${guess}?` : ''} Metrics: ${all.map((m) => m.cliName).join(', ')}.`,
    'eval',
  );
}

/** A `--metric` being parsed: its entry and the flags given after it. */
export interface MetricSlot {
  readonly entry: MetricDescriptor;
  readonly options: Record<string, unknown>;
  readonly columns: Record<string, string>;
}

/**
 * Applies one flag given after a `--metric` to it: `--input` / `--target` name columns, the metric
 * flags and `--ignore-index` / `--weight` set options.
 *
 * @throws {UsageError} for a flag the metric does not take.
 */
export function applyMetricFlag(slot: MetricSlot, token: FlagToken): void {
  const { entry } = slot;
  if (token.name === 'input' || token.name === 'target') {
    slot.columns[token.name] = String(token.value);
    return;
  }
  const own = METRIC_OPTION_FLAGS[token.name];
  const option: [string, unknown] | undefined =
    own !== undefined
      ? [
          own.key,
          own.kind === 'string'
            ? String(token.value)
            : parseValue(`--${token.name}`, own.kind, String(token.value)),
        ]
      : token.name === 'ignore-index' || token.name === 'weight'
        ? lossOptionOf(token.name, token.value)
        : undefined;
  if (option === undefined || !entry.optionKeys.includes(option[0])) {
    const takes = [...entry.optionKeys.map(flagOfMetricKey), '--input', '--target'].join(', ');
    throw new UsageError(
      `--${token.name} is not an option of metric ${entry.cliName} (it takes ${takes}). Options after a --metric apply to that metric.`,
      'eval',
    );
  }
  slot.options[option[0]] = option[1];
}

/**
 * The validated selection of a parsed `--metric`: invalid option values (`--average samples`,
 * `--k 0`) are usage errors here, before any file is read.
 */
export function metricSelection(slot: MetricSlot): MetricSelection {
  try {
    // The operator's own checks, without loading the operator (RxJS, the readers): eval's workers
    // start only once its arguments pass (see prestartEval).
    checkMetricOptions(slot.entry.name as MetricName, { ...slot.options });
  } catch (e) {
    if (e instanceof LossError) {
      throw new UsageError(
        `--metric ${slot.entry.cliName}: ${flagWording(e.detail)}.${e.hint === undefined ? '' : ` ${flagWording(e.hint)}`}`,
        'eval',
      );
    }
    throw e;
  }
  return { entry: slot.entry, options: slot.options, columns: slot.columns };
}

function flagOfMetricKey(key: string): string {
  if (key === 'ignoreIndex') return '--ignore-index';
  if (key === 'weight') return '--weight';
  const flag = Object.entries(METRIC_OPTION_FLAGS).find(([, f]) => f.key === key)?.[0];
  return `--${flag ?? key}`;
}
