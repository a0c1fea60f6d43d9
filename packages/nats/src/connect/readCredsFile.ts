import { readFile } from 'node:fs/promises';

/** The error of a `.creds` file that is not one (named `NatsCredsError`, with the file). */
export class NatsCredsError extends Error {
  /** The file given as credentials. */
  readonly file: string;
  constructor(file: string, what: string) {
    super(`${file} is not a NATS credentials file (${what})`);
    this.name = 'NatsCredsError';
    this.file = file;
  }
}

/**
 * Reads a `.creds` file (a user JWT and an NKey seed, as `nsc` writes them), checking that it is
 * one: nats.js parses it only when it connects, and then says no more than that it could not.
 *
 * @throws {NatsCredsError} naming the file when it has no user JWT or no NKey seed block
 */
export async function readCredsFile(file: string): Promise<Uint8Array> {
  const bytes = new Uint8Array(await readFile(file));
  const text = new TextDecoder().decode(bytes);
  const jwt = /-{3,}BEGIN NATS USER JWT-{3,}\s*\n\s*\S+/.test(text);
  const seed = /-{3,}BEGIN USER NKEY SEED-{3,}\s*\n\s*SU[A-Z2-7]+/.test(text);
  if (!jwt || !seed) {
    throw new NatsCredsError(
      file,
      `it has no ${!jwt ? 'BEGIN NATS USER JWT block' : 'BEGIN USER NKEY SEED block with a user seed'}`,
    );
  }
  return bytes;
}
