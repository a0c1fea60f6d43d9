import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { natsConnectionOptions } from './connectNats.js';
import { NatsCredsError } from './readCredsFile.js';

const dir = mkdtempSync(join(tmpdir(), 'lossflow-creds-'));

describe('readCredsFile', () => {
  it('refuses a file that is not a .creds file, naming it, before connecting', async () => {
    const bad = join(dir, 'bad.creds');
    writeFileSync(bad, 'garbage\n');
    const error = await natsConnectionOptions({ credsFile: bad }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NatsCredsError);
    expect((error as Error).message).toBe(
      `${bad} is not a NATS credentials file (it has no BEGIN NATS USER JWT block)`,
    );
    // NATS_CREDS is read the same way.
    const fromEnv = await natsConnectionOptions({ env: { NATS_CREDS: bad } }).catch((e: unknown) => e);
    expect(fromEnv).toBeInstanceOf(NatsCredsError);
  });

  it('accepts a file with a user JWT and an NKey seed', async () => {
    const good = join(dir, 'good.creds');
    writeFileSync(
      good,
      [
        '-----BEGIN NATS USER JWT-----',
        'eyJ0eXAiOiJKV1QiLCJhbGciOiJlZDI1NTE5LW5rZXkifQ.e30.sig',
        '------END NATS USER JWT------',
        '',
        '-----BEGIN USER NKEY SEED-----',
        'SUAIBDPBAUTWCWBKIO6XHQNINK5FWJW4OHLXC3HQ2KFE4PEJUA44CNHTC4',
        '------END USER NKEY SEED------',
        '',
      ].join('\n'),
    );
    const options = await natsConnectionOptions({ credsFile: good });
    expect(options.authenticator).toBeDefined();
  });
});
