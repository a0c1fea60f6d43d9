import {
  type Authenticator,
  type ConnectionOptions,
  credsAuthenticator,
  type NatsConnection,
} from '@nats-io/nats-core';
import { connect } from '@nats-io/transport-node';
import { natsServersOf } from './natsServers.js';
import { readCredsFile } from './readCredsFile.js';
import { urlCredentials } from './urlCredentials.js';

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
  const listed = (typeof serversOption === 'string' ? serversOption.split(',') : [...serversOption])
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
  // Credentials in a URL count unless flags give some (nats.js itself ignores them).
  const inUrl = urlCredentials(listed);
  const given = options.token !== undefined || options.user !== undefined || options.pass !== undefined;
  const token = given ? options.token : inUrl.token;
  const user = given ? options.user : inUrl.user;
  const pass = given ? options.pass : inUrl.pass;
  const out: ConnectionOptions = { servers: inUrl.servers };
  if (options.name !== undefined) out.name = options.name;
  if (token !== undefined) out.token = token;
  if (user !== undefined) out.user = user;
  if (pass !== undefined) out.pass = pass;
  const credsFile = options.credsFile ?? env.NATS_CREDS;
  if (credsFile !== undefined && credsFile !== '') {
    const creds = await readCredsFile(credsFile);
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
