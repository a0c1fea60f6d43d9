import { describe, expect, it } from 'vitest';
import { isRunId, newRunId, runNames } from './runNames.js';

describe('runNames', () => {
  it('names every stream, subject and bucket of a run after its id', () => {
    expect(runNames('nightly-7')).toEqual({
      run: 'nightly-7',
      stream: 'LOSSFLOW_RUN_nightly-7',
      subject: 'lossflow.run.nightly-7.items',
      consumer: 'workers',
      bucket: 'lossflow_run_nightly-7',
      written: 'lossflow.run.nightly-7.written',
    });
  });

  it('refuses ids JetStream names cannot hold', () => {
    for (const bad of ['', 'a.b', 'a b', 'a*', 'x'.repeat(65)]) {
      expect(isRunId(bad)).toBe(false);
      expect(() => runNames(bad)).toThrow(/not a valid run id/);
    }
    expect(isRunId(newRunId())).toBe(true);
  });
});
