import { LiveRunError, natsServersOf, redactNatsUrl } from '@lossflow/nats';
import type { Failure } from '../errors/describeFailure.js';
import { flagWording } from '../errors/flagWording.js';

/**
 * The exit code and message for an error of talking to NATS (cannot connect, not authorized, a
 * live run's `LiveRunError`), or undefined for any other error (the caller's `describeFailure`
 * handles those). Every one of them is exit code 1: the command was valid, the server or run was not.
 */
export function natsFailure(
  error: unknown,
  command: string,
  servers: string | readonly string[] | undefined,
  env: Readonly<Record<string, string | undefined>> = {},
): Failure | undefined {
  const head = `lossflow ${command}:`;
  if (error instanceof LiveRunError) {
    const where = [
      error.subject === undefined ? undefined : `subject '${error.subject}'`,
      error.streamSequence === undefined ? undefined : `stream sequence ${error.streamSequence}`,
      error.batch === undefined ? undefined : `batch message ${error.batch}`,
    ].filter((w) => w !== undefined);
    return {
      exitCode: 1,
      message: `${head} ${error.detail}${where.length === 0 ? '' : ` (${where.join(', ')})`} [${error.code}]. ${[error.hint === undefined ? undefined : flagWording(error.hint), 'No result was written.'].filter((h) => h !== undefined).join(' ')}`,
    };
  }
  if (!(error instanceof Error)) return undefined;
  if (error.name === 'NatsCredsError') {
    return {
      exitCode: 1,
      message: `${head} ${error.message}. Pass the .creds file your NATS account gives its users (nsc generate creds) with --nats-creds FILE or NATS_CREDS.`,
    };
  }
  if (/maximum bytes exceeded/i.test(error.message)) {
    return {
      exitCode: 1,
      message: `${head} the run's stream is full: it reached the bytes it may hold (the --max-bytes it was created with, or the server's JetStream storage limit) [${error.message}]. Publish to a new run with a larger --max-bytes (e.g. --max-bytes 8GiB), or raise max_file_store in the server's configuration.`,
    };
  }
  // What the command connected to: the flag, NATS_URL, or the default.
  const at = redactNatsUrl(natsServersOf({ servers, env }));
  if (error.name === 'AuthorizationError' || /authorization violation/i.test(error.message)) {
    return {
      exitCode: 1,
      message: `${head} ${at} refused the connection: authorization violation. Pass the credentials the server expects: --nats-token, --nats-user and --nats-pass, or --nats-creds FILE (or NATS_CREDS).`,
    };
  }
  if (error.name === 'UserAuthenticationExpiredError') {
    return {
      exitCode: 1,
      message: `${head} ${at} refused the connection: the user's credentials have expired. Get a new .creds file for --nats-creds.`,
    };
  }
  if (error.name === 'ConnectionError' || error.name === 'TimeoutError' || isSystemConnectError(error)) {
    const cause = error.cause instanceof Error ? ` (${error.cause.message})` : '';
    return {
      exitCode: 1,
      message: `${head} no NATS server at ${at} — start one with JetStream (nats-server -js, or a config file: see "Scaling out" in the lossflow README) or pass --nats URL (or set NATS_URL) [cannot connect: ${error.message}${cause}].`,
    };
  }
  if (/jetstream not enabled|JetStream not enabled|no responders/i.test(error.message)) {
    return {
      exitCode: 1,
      message: `${head} ${at} does not offer JetStream (${error.message}). Start nats-server with JetStream enabled (nats-server -js).`,
    };
  }
  return undefined;
}

function isSystemConnectError(error: Error): boolean {
  const code = (error as { code?: unknown }).code;
  return code === 'ECONNREFUSED' || code === 'ENOTFOUND' || code === 'EHOSTUNREACH' || code === 'ETIMEDOUT';
}
