import { readFile } from 'node:fs/promises';
import {
  type Authenticator,
  type ConnectionOptions,
  credsAuthenticator,
  type NatsConnection,
} from '@nats-io/nats-core';
import { connect } from '@nats-io/transport-node';
import { natsServersOf } from './natsServers.js';

/**
 * How to reach and authenticate to a NATS server: what production users configure. Every field is
 * optional; `servers` falls back to a non-empty `NATS_URL`, then `DEFAULT_NATS_URL`
 * (`nats://127.0.0.1:4222`); `credsFile` to `NATS_CREDS`.
 */
export interface NatsConnectOptions {
  /** One or more server URLs (`nats://host:4222`, `tls://host:4222`); comma-separated accepted. */
  readonly servers?: string | readonly string[];
  /** Token authentication (`authorization { token }`). */
  readonly token?: string;
  /** User/password authentication. */
  readonly user?: string;
  readonly pass?: string;
  /** A `.creds` file (NKey seed + user JWT), as `nsc` writes it. */
  readonly credsFile?: string;
  /** PEM file of the CA that signed the server's certificate; turns TLS on. */
  readonly tlsCaFile?: string;
  /** Client certificate and key (PEM) for servers that verify clients; turns TLS on. */
  readonly tlsCertFile?: string;
  readonly tlsKeyFile?: string;
  /** Name shown in the server's connection list. */
  readonly name?: string;
  /** Environment to read `NATS_URL` / `NATS_CREDS` from (default `process.env`). */
  readonly env?: Readonly<Record<string, string | undefined>>;
}

/** Turns {@link NatsConnectOptions} into nats.js connection options (reads the creds file). */
export async function natsConnectionOptions(options: NatsConnectOptions = {}): Promise<ConnectionOptions> {
  const env = options.env ?? process.env;
  const serversOption = options.servers ?? natsServersOf({ env });
  const servers = (typeof serversOption === 'string' ? serversOption.split(',') : [...serversOption])
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
  const out: ConnectionOptions = { servers };
  if (options.name !== undefined) out.name = options.name;
  if (options.token !== undefined) out.token = options.token;
  if (options.user !== undefined) out.user = options.user;
  if (options.pass !== undefined) out.pass = options.pass;
  const credsFile = options.credsFile ?? env.NATS_CREDS;
  if (credsFile !== undefined && credsFile !== '') {
    const creds = new Uint8Array(await readFile(credsFile));
    const authenticator: Authenticator = credsAuthenticator(creds);
    out.authenticator = authenticator;
  }
  if (options.tlsCaFile !== undefined || options.tlsCertFile !== undefined) {
    out.tls = {
      ...(options.tlsCaFile !== undefined ? { caFile: options.tlsCaFile } : {}),
      ...(options.tlsCertFile !== undefined ? { certFile: options.tlsCertFile } : {}),
      ...(options.tlsKeyFile !== undefined ? { keyFile: options.tlsKeyFile } : {}),
    };
  }
  return out;
}

/** Connects to NATS with {@link NatsConnectOptions}. */
export async function connectNats(options: NatsConnectOptions = {}): Promise<NatsConnection> {
  return connect(await natsConnectionOptions(options));
}
