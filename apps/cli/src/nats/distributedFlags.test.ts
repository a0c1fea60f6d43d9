import { describe, expect, it } from 'vitest';
import { UsageError } from '../errors/UsageError.js';
import { hasNatsFlag, takeDistributedFlags } from './distributedFlags.js';
import { itemSpecOf } from './itemSpec.js';

describe('takeDistributedFlags', () => {
  it('takes the connection flags, --run and --keep out of the eval arguments, in both spellings', () => {
    expect(
      takeDistributedFlags(
        [
          'a.arrows',
          '--nats',
          'nats://h:4222',
          '--by',
          'epoch',
          '--run=r1',
          '--keep',
          '--nats-token',
          't0k',
          '--nats-user=u',
          '--nats-pass',
          'p',
          '--nats-creds',
          '/c.creds',
          '--nats-tls-ca=/ca.pem',
        ],
        {},
      ),
    ).toEqual({
      connect: {
        env: {},
        name: 'lossflow eval',
        servers: 'nats://h:4222',
        token: 't0k',
        user: 'u',
        pass: 'p',
        credsFile: '/c.creds',
        tlsCaFile: '/ca.pem',
      },
      run: 'r1',
      keep: true,
      rest: ['a.arrows', '--by', 'epoch'],
    });
    const env = { NATS_URL: 'nats://env:4222' };
    expect(takeDistributedFlags(['--nats=nats://h', 'x', '--', '--keep'], env)).toEqual({
      connect: { env, name: 'lossflow eval', servers: 'nats://h' },
      run: undefined,
      keep: false,
      rest: ['x', '--', '--keep'],
    });
  });

  it('is bad usage without a value', () => {
    expect(() => takeDistributedFlags(['a.arrows', '--run'], {})).toThrow(UsageError);
    expect(() => takeDistributedFlags(['--nats='], {})).toThrow(UsageError);
    expect(() => takeDistributedFlags(['a.arrows', '--nats-token'], {})).toThrow(UsageError);
  });

  it('tells a distributed command line by --nats', () => {
    expect(hasNatsFlag(['a', '--nats', 'u'])).toBe(true);
    expect(hasNatsFlag(['a', '--nats=u'])).toBe(true);
    expect(hasNatsFlag(['a', '--natsy'])).toBe(false);
  });
});

describe('itemSpecOf', () => {
  it('makes --weight-file absolute, as workers read it elsewhere', () => {
    const spec = itemSpecOf(['a.arrows', '--weight-file', 'w.json', '--weight-file=/x/w.json'], 'step');
    expect(spec.args[2]).toBe(`${process.cwd()}/w.json`);
    expect(spec.args[3]).toBe('--weight-file=/x/w.json');
    expect(spec.step).toBe('step');
  });

  it('leaves out the output-only flags, so only what the run computes is its plan identity', () => {
    const computed = ['a.arrows', '--loss', 'nll', '--by', 'epoch', '--limit', '100'];
    const outputs = [
      '-q',
      '--format',
      'csv',
      '--every=2',
      '--report',
      'r.html',
      '--threads',
      '2',
      '--quiet',
      '--format=json',
      '--step',
      'iteration',
    ];
    const plain = itemSpecOf(computed, undefined);
    expect(plain.args).toEqual(computed);
    expect(itemSpecOf([...outputs.slice(0, 6), ...computed, ...outputs.slice(6)], undefined)).toEqual(plain);
    // What is computed still tells runs apart.
    expect(itemSpecOf([...computed, '--nulls', 'skip'], undefined)).not.toEqual(plain);
    expect(itemSpecOf(computed, 'step')).not.toEqual(plain);
  });
});
