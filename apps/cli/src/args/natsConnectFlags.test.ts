import { describe, expect, it } from 'vitest';
import { parseArgv } from './argv.js';
import { isLiveEval } from './isLiveEval.js';
import { NATS_CONNECT_FLAGS, natsConnectOptionsOf } from './natsConnectFlags.js';

describe('natsConnectOptionsOf', () => {
  it('maps every connection flag to connectNats options, and leaves the rest to the environment', () => {
    const parsed = parseArgv(
      [
        '--nats',
        'nats://a:4222,nats://b:4222',
        '--nats-token',
        't',
        '--nats-user',
        'u',
        '--nats-pass',
        'p',
        '--nats-creds',
        'me.creds',
        '--nats-tls-ca',
        'ca.pem',
      ],
      NATS_CONNECT_FLAGS,
      'publish',
    );
    const env = { NATS_URL: 'nats://env:4222' };
    expect(natsConnectOptionsOf(parsed, env)).toEqual({
      env,
      name: 'lossflow',
      servers: 'nats://a:4222,nats://b:4222',
      token: 't',
      user: 'u',
      pass: 'p',
      credsFile: 'me.creds',
      tlsCaFile: 'ca.pem',
    });
    expect(natsConnectOptionsOf(parseArgv([], NATS_CONNECT_FLAGS, 'publish'), env)).toEqual({
      env,
      name: 'lossflow',
    });
  });
});

describe('isLiveEval', () => {
  it('is true with --subject before any --, in either spelling', () => {
    expect(isLiveEval(['--subject', 's'])).toBe(true);
    expect(isLiveEval(['--by', 'epoch', '--subject=s'])).toBe(true);
    expect(isLiveEval(['log.arrows', '--by', 'epoch'])).toBe(false);
    expect(isLiveEval(['--', '--subject'])).toBe(false);
  });
});
