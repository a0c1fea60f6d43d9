import { describe, expect, it } from 'vitest';
import { natsConnectionOptions } from './connectNats.js';
import { urlCredentials } from './urlCredentials.js';

describe('urlCredentials', () => {
  it('takes a token or a user and password out of the URLs', () => {
    expect(urlCredentials(['nats://s3cret@10.0.0.1:4222', 'nats://10.0.0.2:4222'])).toEqual({
      servers: ['nats://10.0.0.1:4222', 'nats://10.0.0.2:4222'],
      token: 's3cret',
    });
    expect(urlCredentials(['tls://bob:p%40ss@h:4222'])).toEqual({
      servers: ['tls://h:4222'],
      user: 'bob',
      pass: 'p@ss',
    });
    expect(urlCredentials(['nats://h:4222'])).toEqual({ servers: ['nats://h:4222'] });
  });
});

describe('natsConnectionOptions', () => {
  it('authenticates with the token of a URL (NATS_URL=nats://TOKEN@host), unless a flag gives credentials', async () => {
    const env = { NATS_URL: 'nats://t0k@127.0.0.1:4222' };
    expect(await natsConnectionOptions({ env })).toMatchObject({
      servers: ['nats://127.0.0.1:4222'],
      token: 't0k',
    });
    const flagged = await natsConnectionOptions({ env, token: 'other' });
    expect(flagged).toMatchObject({ servers: ['nats://127.0.0.1:4222'], token: 'other' });
    expect(flagged.user).toBeUndefined();
  });
});
