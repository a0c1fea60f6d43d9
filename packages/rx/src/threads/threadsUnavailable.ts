import { LossError, lossDescriptor } from '@lossflow/core';
import type { LossOperatorSpec } from '../specs/LossOperatorSpec.js';
import { isRegistrySpec } from '../specs/registrySpec.js';
import { type LossOperatorPlan, type MetricOperatorPlan, workerPlanOf } from './workerPlan.js';

/** What to do instead, for every reason threads cannot be used. */
const INSTEAD = 'or pass threads: 0 to read and compute in this thread';

/**
 * The `THREADS_UNAVAILABLE` error: threads were asked for (`fromFile(path, { threads })` with
 * threads ≥ 1) but this pipeline cannot run in worker threads, and computing it in this thread
 * instead would quietly lose them.
 *
 * @example
 * throw threadsUnavailable('share() is not a loss operator', 'Pipe a loss operator right after fromFile');
 */
export function threadsUnavailable(
  reason: string,
  hint: string,
  context: { loss?: string; argument?: string; file?: string } = {},
): LossError {
  return new LossError('THREADS_UNAVAILABLE', `threads were asked for but ${reason}`, {
    ...context,
    hint: `${hint}, ${INSTEAD}.`,
  });
}

/**
 * Why these losses cannot run in worker threads, as a `THREADS_UNAVAILABLE` error, or `undefined`
 * when they can: a worker rebuilds a loss from its registry name (so only the registry's own spec
 * object can go, see `isRegistrySpec`), receives its options by structured clone (so a function
 * cannot go), and posts back states, not per-row losses. A metric is rebuilt from its name too, so
 * only its options can keep it here.
 */
export function workerRefusal(
  plans: readonly LossOperatorPlan[],
  metrics: readonly MetricOperatorPlan[] = [],
): LossError | undefined {
  for (const metric of metrics) {
    for (const [key, value] of Object.entries(metric.options)) {
      try {
        structuredClone(value);
      } catch {
        return threadsUnavailable(
          `option ${key} cannot be sent to a worker thread (a function, or another value structuredClone rejects)`,
          `Pass ${key} as numbers, a typed array or { data, shape } to compute in workers`,
          { loss: metric.metric, argument: key },
        );
      }
    }
  }
  for (const plan of plans) {
    const loss = plan.spec.name;
    if (plan.perRow) {
      return threadsUnavailable(
        'perRow output is asked for, which workers do not send back',
        'Drop perRow to compute in workers',
        { loss, argument: 'perRow' },
      );
    }
    if (!isRegistrySpec(plan.spec as LossOperatorSpec<unknown>)) {
      return threadsUnavailable(
        'its spec is a custom one, which workers cannot rebuild from the loss name',
        "Use the registry's operator (operatorOf) to compute in workers",
        { loss },
      );
    }
    const options = plan.options as Readonly<Record<string, unknown>>;
    for (const [key, value] of Object.entries(options)) {
      try {
        structuredClone(value);
      } catch {
        return threadsUnavailable(
          `option ${key} cannot be sent to a worker thread (a function, or another value structuredClone rejects)`,
          unsendableHint(loss, key),
          { loss, argument: key },
        );
      }
    }
  }
  return undefined;
}

/**
 * How to compute in workers anyway: an option the loss only takes as a function (a distance) can
 * only be left out, for its default; anything else can be given as plain data.
 */
function unsendableHint(loss: string, key: string): string {
  if (lossDescriptor(loss)?.options[key]?.type === 'function') {
    return `Leave ${key} out (its default runs in workers; a function cannot be sent to a thread)`;
  }
  return `Pass ${key} as numbers, a typed array or { data, shape } to compute in workers`;
}

/**
 * Why `operator` cannot run in worker threads, as the `THREADS_UNAVAILABLE` error `fromFile(path,
 * { threads })` would throw when it is piped first, or `undefined` when it can: for a tool that
 * decides whether to ask for threads at all (a command line computing per-row output here).
 *
 * @example
 * const threads = threadsRefusal(op) === undefined ? cores : 0;
 */
export function threadsRefusal(operator: unknown): LossError | undefined {
  const plan = workerPlanOf(operator);
  if (plan === undefined) {
    return threadsUnavailable(
      'the operator piped right after fromFile is not a loss operator, a metric operator, losses(…) or lossesAndMetrics(…)',
      'Pipe the loss or metric operator (or losses(…), lossesAndMetrics(…)) first and share(), take(), map() or the like after it',
    );
  }
  return workerRefusal(plan.plans, plan.metrics);
}
