/** The server every NATS command and helper connects to when neither `servers` nor `NATS_URL` names one. */
export const DEFAULT_NATS_URL = 'nats://127.0.0.1:4222';

/**
 * The server(s) a connection goes to, as messages name them (comma-separated): `servers`, else a
 * non-empty `NATS_URL` of `env`, else {@link DEFAULT_NATS_URL}. `connectNats` of
 * `@lossflow/nats/node` connects to exactly these.
 *
 * @example
 * natsServersOf({ env: process.env }); // 'nats://127.0.0.1:4222' when NATS_URL is unset
 */
export function natsServersOf(options: {
  readonly servers?: string | readonly string[] | undefined;
  readonly env?: Readonly<Record<string, string | undefined>>;
}): string {
  const given = options.servers ?? (options.env?.NATS_URL || undefined) ?? DEFAULT_NATS_URL;
  return typeof given === 'string' ? given : given.join(',');
}
