import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { prestartLossWorkers } from '@lossflow/rx/prestart';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { prestartEval } from './prestartEval.js';
import { FIXTURES } from './testing/runCli.js';

vi.mock('@lossflow/rx/prestart', () => ({ prestartLossWorkers: vi.fn() }));

const LOG = join(FIXTURES, 'epoch-log.arrows');

describe('prestartEval', () => {
  beforeEach(() => {
    vi.mocked(prestartLossWorkers).mockClear();
  });

  it('starts the workers of a valid command line (this thread is one of the threads)', async () => {
    await prestartEval([LOG, '--threads', '4']);
    expect(prestartLossWorkers).toHaveBeenCalledWith(3);
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
    await prestartEval([LOG, '--threads', '2', '--report', join(dir, 'r.html')]);
    expect(prestartLossWorkers).toHaveBeenCalledWith(1);
    const { readdirSync } = await import('node:fs');
    expect(readdirSync(dir)).toEqual([]);
  });
});
