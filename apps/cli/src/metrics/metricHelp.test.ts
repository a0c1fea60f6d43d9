import { METRICS } from '@lossflow/core';
import { describe, expect, it } from 'vitest';
import { main } from '../main.js';
import { memoryIo } from '../testing/memoryIo.js';

describe('eval --help', () => {
  it('lists every metric, its flags and the metrics in the JSON document', async () => {
    const io = memoryIo();
    await main(['eval', '--help'], io);
    const help = io.out();
    for (const m of Object.values(METRICS)) expect(help).toContain(`  ${m.cliName} `);
    for (const flag of [
      '--metric NAME',
      '--k N',
      '--average',
      '--n-bins N',
      '--norm',
      '--thresholds N',
      '--threshold P',
      '--scores',
      '--multilabel subset|elementwise|macro',
      '--multioutput uniform_average|raw_values|variance_weighted',
    ])
      expect(help).toContain(flag);
    expect(help).toContain('"metrics": [');
  });
});
