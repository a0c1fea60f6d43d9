import { mkdtempSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { prestartLossWorkers } from '@lossflow/rx/prestart';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { FIXTURES } from '../testing/runCli.js';
import { BYTES_PER_PRESTARTED_WORKER, prestartEval } from './prestartEval.js';

vi.mock('@lossflow/rx/prestart', () => ({ prestartLossWorkers: vi.fn() }));

const LOG = join(FIXTURES, 'epoch-log.arrows');

/** A sparse file of `bytes` (its content is never read here). */
function bigFile(bytes: number): string {
  const path = join(mkdtempSync(join(tmpdir(), 'lossflow-prestart-big-')), 'big.arrows');
  writeFileSync(path, '');
  truncateSync(path, bytes);
  return path;
}

describe('prestartEval', () => {
  beforeEach(() => {
    vi.mocked(prestartLossWorkers).mockClear();
  });

  it('starts the workers of a valid command line (this thread is one of the threads)', async () => {
    await prestartEval([bigFile(10 * BYTES_PER_PRESTARTED_WORKER), '--threads', '4']);
    expect(prestartLossWorkers).toHaveBeenCalledWith(3);
  });

  it('starts no more workers than the input size can use', async () => {
    await prestartEval([bigFile(3 * BYTES_PER_PRESTARTED_WORKER + 1), '--threads', '256']);
    expect(prestartLossWorkers).toHaveBeenCalledWith(3);
  });

  it('adds up the sizes of all the inputs', async () => {
    const part = (BYTES_PER_PRESTARTED_WORKER / 4) * 3;
    await prestartEval([bigFile(part), bigFile(part), '--threads', '8']);
    expect(prestartLossWorkers).toHaveBeenCalledWith(1);
  });

  it.each([
    ['a small file and many threads', [LOG, '--threads', '256']],
    ['a small file and two threads', [LOG, '--threads', '2']],
  ])('starts no thread for %s', async (_, args) => {
    await prestartEval(args);
    expect(prestartLossWorkers).not.toHaveBeenCalled();
  });

  it.each([
    ['a usage error after --threads', [LOG, '--threads', '300', '--format', 'bogus']],
    ['too many threads', [LOG, '--threads', '300']],
    ['a --threads that is not a decimal integer', [LOG, '--threads', '1e3']],
    [
      'an input that does not exist',
      [join(tmpdir(), 'no-such-dir-lossflow', 'log.arrows'), '--threads', '4'],
    ],
    ['an output that is a directory', [LOG, '--threads', '4', '--report', tmpdir()]],
    ['an output that is the input', [LOG, '--threads', '4', '--report', LOG]],
    ['help', [LOG, '--threads', '4', '--help']],
  ])('starts no thread for %s', async (_, args) => {
    await prestartEval(args);
    expect(prestartLossWorkers).not.toHaveBeenCalled();
  });

  it('creates no file while checking', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lossflow-prestart-'));
    await prestartEval([
      bigFile(BYTES_PER_PRESTARTED_WORKER),
      '--threads',
      '2',
      '--report',
      join(dir, 'r.html'),
    ]);
    expect(prestartLossWorkers).toHaveBeenCalledWith(1);
    const { readdirSync } = await import('node:fs');
    expect(readdirSync(dir)).toEqual([]);
  });
});
