import { redactNatsUrl } from '@lossflow/nats';

/** Connection flags whose value is a secret as a whole. */
const SECRET_FLAGS = new Set(['--nats-token', '--nats-pass']);

/**
 * A command's arguments with their NATS credentials masked, for recording the command line (the
 * report, a run's record): the token or password inside a `--nats` URL (see `redactNatsUrl`) and
 * the values of `--nats-token` and `--nats-pass` become `***`, in both the `--flag value` and
 * `--flag=value` forms. Reports are shared; credentials must not travel with them.
 *
 * @example
 * redactNatsArgs(['eval', 'a.arrow', '--nats', 'nats://s3cret@host']); // [..., 'nats://***@host']
 */
export function redactNatsArgs(args: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === '--') {
      out.push(...args.slice(i));
      break;
    }
    const eq = arg.indexOf('=');
    const flag = eq === -1 ? arg : arg.slice(0, eq);
    const secret = SECRET_FLAGS.has(flag);
    if (flag !== '--nats' && !secret) {
      out.push(arg);
      continue;
    }
    const mask = (value: string): string => (secret ? '***' : redactNatsUrl(value));
    if (eq !== -1) out.push(`${flag}=${mask(arg.slice(eq + 1))}`);
    else {
      out.push(arg);
      const value = args[i + 1];
      if (value !== undefined) {
        out.push(mask(value));
        i++;
      }
    }
  }
  return out;
}
