import { describe, expect, it } from 'vitest';
import { redactNatsUrl } from './redactNatsUrl.js';

describe('redactNatsUrl', () => {
  it('hides tokens and passwords of every URL, and leaves URLs without credentials alone', () => {
    expect(redactNatsUrl('nats://s3cret@10.0.0.1:4222')).toBe('nats://***@10.0.0.1:4222');
    expect(redactNatsUrl('tls://alice:pa55@a:4222,nats://tok@b:4222,nats://c:4222')).toBe(
      'tls://alice:***@a:4222,nats://***@b:4222,nats://c:4222',
    );
    expect(redactNatsUrl('nats://127.0.0.1:4222')).toBe('nats://127.0.0.1:4222');
  });
});
