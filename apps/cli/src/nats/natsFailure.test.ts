import { describe, expect, it } from 'vitest';
import { natsFailure } from './natsFailure.js';

describe('natsFailure', () => {
  it('never echoes the token or password of the server URL', () => {
    const refused = new Error('Authorization Violation');
    const failure = natsFailure(refused, 'eval', 'nats://s3cret@127.0.0.1:4222,nats://bob:pa55@h:4222');
    expect(failure?.exitCode).toBe(1);
    expect(failure?.message).toContain(
      'nats://***@127.0.0.1:4222,nats://bob:***@h:4222 refused the connection',
    );
    expect(failure?.message).not.toMatch(/s3cret|pa55/);
  });
});
