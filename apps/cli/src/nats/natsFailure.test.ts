import { NatsCredsError } from '@lossflow/nats/node';
import { describe, expect, it } from 'vitest';
import { natsFailure } from './natsFailure.js';

describe('natsFailure', () => {
  it('names a credentials file that is not one, and says what to pass', () => {
    const failure = natsFailure(
      new NatsCredsError('/x/bad.creds', 'it has no BEGIN NATS USER JWT block'),
      'worker',
      undefined,
    );
    expect(failure?.exitCode).toBe(1);
    expect(failure?.message).toMatch(/^lossflow worker: \/x\/bad\.creds is not a NATS credentials file/);
    expect(failure?.message).not.toMatch(/unexpected/i);
  });

  it('says a full stream is a limit and how to raise it', () => {
    const error = new Error('maximum bytes exceeded');
    const failure = natsFailure(error, 'publish', 'nats://127.0.0.1:4222');
    expect(failure?.exitCode).toBe(1);
    expect(failure?.message).toContain("the run's stream is full");
    expect(failure?.message).toContain('--max-bytes');
  });
});
