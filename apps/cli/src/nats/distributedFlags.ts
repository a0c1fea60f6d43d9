import type { NatsConnectOptions } from '@lossflow/nats/node';
import { type FlagSpec, hasFlag, lastValue, parseArgv } from '../args/argv.js';
import { NATS_CONNECT_FLAGS, natsConnectOptionsOf } from '../args/natsConnectFlags.js';
import { UsageError } from '../errors/UsageError.js';

/** The coordinator's own flags: the shared connection flags, `--run ID` and `--keep`. */
export const DISTRIBUTED_FLAGS: Readonly<Record<string, FlagSpec>> = {
  ...NATS_CONNECT_FLAGS,
  run: { type: 'string' },
  keep: { type: 'boolean' },
};

/** The flags that make `lossflow eval` a distributed run's coordinator, taken out of its arguments. */
export interface DistributedFlags {
  /** How to reach the server (`--nats`, `--nats-token`, …; `NATS_URL`/`NATS_CREDS` fill the rest). */
  readonly connect: NatsConnectOptions;
  /** `--run ID`: the run to start or resume. */
  readonly run: string | undefined;
  /** `--keep`: keep the run's stream and KV bucket. */
  readonly keep: boolean;
  /**
   * The other arguments, for the eval parser and the workers: the connection flags are left out so
   * no credential travels in a work item.
   */
  readonly rest: string[];
}

/**
 * Takes the coordinator's flags ({@link DISTRIBUTED_FLAGS}, also as `--flag=value`) out of `args`.
 *
 * @throws UsageError for a flag without its value
 */
export function takeDistributedFlags(
  args: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
): DistributedFlags {
  const taken: string[] = [];
  const rest: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === '--') {
      for (let j = i; j < args.length; j++) rest.push(args[j]!);
      break;
    }
    const eq = arg.indexOf('=');
    const name = arg.startsWith('--') ? arg.slice(2, eq === -1 ? undefined : eq) : undefined;
    const spec = name === undefined ? undefined : DISTRIBUTED_FLAGS[name];
    if (spec === undefined) {
      rest.push(arg);
      continue;
    }
    if (spec.type === 'boolean' || eq !== -1) {
      taken.push(arg);
      if (eq !== -1 && arg.length === eq + 1) throw new UsageError(`--${name} needs a value.`, 'eval');
      continue;
    }
    const value = args[i + 1];
    if (value === undefined || value === '') throw new UsageError(`--${name} needs a value.`, 'eval');
    taken.push(arg, value);
    i++;
  }
  const parsed = parseArgv(taken, DISTRIBUTED_FLAGS, 'eval');
  return {
    connect: { ...natsConnectOptionsOf(parsed, env), name: 'lossflow eval' },
    run: lastValue(parsed, 'run'),
    keep: hasFlag(parsed, 'keep'),
    rest,
  };
}

/** Whether `args` ask for a NATS server (`--nats`), so the command runs against it. */
export function hasNatsFlag(args: readonly string[]): boolean {
  return args.some((a) => a === '--nats' || a.startsWith('--nats='));
}
