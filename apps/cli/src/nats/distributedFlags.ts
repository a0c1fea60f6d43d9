import { UsageError } from '../errors/UsageError.js';

/** The flags that make `lossflow eval` a distributed run's coordinator, taken out of its arguments. */
export interface DistributedFlags {
  /** `--nats URL` (the server; `NATS_URL` when only the flag's presence matters elsewhere). */
  readonly nats: string | undefined;
  /** `--run ID`: the run to start or resume. */
  readonly run: string | undefined;
  /** `--keep`: keep the run's stream and KV bucket. */
  readonly keep: boolean;
  /** The other arguments, for the eval parser. */
  readonly rest: string[];
}

/**
 * Takes `--nats URL`, `--run ID` and `--keep` (also as `--flag=value`) out of `args`. Only
 * `--nats` for now: the shared connection flags (token, creds, TLS) replace this function.
 *
 * @throws UsageError for a flag without its value
 */
export function takeDistributedFlags(args: readonly string[]): DistributedFlags {
  let nats: string | undefined;
  let run: string | undefined;
  let keep = false;
  const rest: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === '--') {
      rest.push(...args.slice(i));
      break;
    }
    const [name, inline] =
      arg.startsWith('--') && arg.includes('=') ? arg.split(/=(.*)/s, 2) : [arg, undefined];
    if (name === '--keep' && inline === undefined) {
      keep = true;
      continue;
    }
    if (name === '--nats' || name === '--run') {
      const value = inline ?? args[++i];
      if (value === undefined || value === '') throw new UsageError(`${name} needs a value.`);
      if (name === '--nats') nats = value;
      else run = value;
      continue;
    }
    rest.push(arg);
  }
  return { nats, run, keep, rest };
}

/** Whether `args` ask for a NATS server (`--nats`), so the command runs against it. */
export function hasNatsFlag(args: readonly string[]): boolean {
  return args.some((a) => a === '--nats' || a.startsWith('--nats='));
}
