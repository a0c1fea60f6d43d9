import type { NatsConnectOptions } from '@lossflow/nats/node';
import { type FlagSpec, lastValue, type ParsedArgv } from './argv.js';

/** The connection flags every NATS command takes (`publish`, `eval --nats`, `worker`). */
export const NATS_CONNECT_FLAGS: Readonly<Record<string, FlagSpec>> = {
  nats: { type: 'string' },
  'nats-token': { type: 'string' },
  'nats-user': { type: 'string' },
  'nats-pass': { type: 'string' },
  'nats-creds': { type: 'string' },
  'nats-tls-ca': { type: 'string' },
};

/** The connection flags' part of a command's `--help`. */
export const NATS_CONNECT_HELP = `Connection (every NATS command):
  --nats URL                the server(s), comma-separated (default: $NATS_URL, then
                            nats://127.0.0.1:4222)
  --nats-token TOKEN        token authentication
  --nats-user USER          user/password authentication (with --nats-pass PASS)
  --nats-pass PASS
  --nats-creds FILE         a .creds file (NKey seed + user JWT; default: $NATS_CREDS)
  --nats-tls-ca FILE        the CA (PEM) that signed the server's certificate; turns TLS on`;

/** Whether a command line asks for NATS (`--nats` given, or `NATS_URL` set). */
export function wantsNats(parsed: ParsedArgv): boolean {
  return lastValue(parsed, 'nats') !== undefined;
}

/**
 * The `NatsConnectOptions` of a command line's connection flags; what a flag leaves out comes from
 * `env` (`NATS_URL`, `NATS_CREDS`), as `connectNats` reads it.
 */
export function natsConnectOptionsOf(
  parsed: ParsedArgv,
  env: Readonly<Record<string, string | undefined>>,
): NatsConnectOptions {
  const servers = lastValue(parsed, 'nats');
  const token = lastValue(parsed, 'nats-token');
  const user = lastValue(parsed, 'nats-user');
  const pass = lastValue(parsed, 'nats-pass');
  const credsFile = lastValue(parsed, 'nats-creds');
  const tlsCaFile = lastValue(parsed, 'nats-tls-ca');
  return {
    env,
    name: 'lossflow',
    ...(servers === undefined ? {} : { servers }),
    ...(token === undefined ? {} : { token }),
    ...(user === undefined ? {} : { user }),
    ...(pass === undefined ? {} : { pass }),
    ...(credsFile === undefined ? {} : { credsFile }),
    ...(tlsCaFile === undefined ? {} : { tlsCaFile }),
  };
}
