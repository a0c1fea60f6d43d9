import { describe, expect, it } from 'vitest';
import { commandLine } from './commandLine.js';
import { redactNatsArgs } from './redactNatsArgs.js';

describe('redactNatsArgs', () => {
  it('masks the token and password of --nats URLs and the values of --nats-token and --nats-pass, in both forms', () => {
    const args = [
      'eval',
      'a.arrow',
      '--nats',
      'nats://s3cret@10.0.0.1:4222,nats://bob:hunter2@10.0.0.2:4222',
      '--nats-token',
      'tok3n',
      '--nats-user',
      'bob',
      '--nats-pass=hunter2',
      '--nats-token=tok3n',
      '--nats=nats://s3cret@h:4222',
      '--format',
      'json',
    ];
    const line = commandLine(['lossflow', ...redactNatsArgs(args)]);
    expect(line).not.toMatch(/s3cret|hunter2|tok3n/);
    expect(redactNatsArgs(args)).toEqual([
      'eval',
      'a.arrow',
      '--nats',
      'nats://***@10.0.0.1:4222,nats://bob:***@10.0.0.2:4222',
      '--nats-token',
      '***',
      '--nats-user',
      'bob',
      '--nats-pass=***',
      '--nats-token=***',
      '--nats=nats://***@h:4222',
      '--format',
      'json',
    ]);
  });

  it('leaves everything else, and what follows --, as given', () => {
    const args = ['eval', 'nats://x@y', '--report', 'r.html', '--', '--nats-token'];
    expect(redactNatsArgs(args)).toEqual(args);
  });
});
