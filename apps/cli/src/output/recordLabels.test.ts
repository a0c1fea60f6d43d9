import { describe, expect, it } from 'vitest';
import { parseEvalArgs } from '../args/evalArgs.js';
import { recordLabels } from './recordLabels.js';

const labels = (args: string[]) => recordLabels(parseEvalArgs(['log.arrows', ...args]));

describe('recordLabels', () => {
  it('labels nothing when every loss and metric has its own name', () => {
    expect(
      labels(['--loss', 'cross-entropy', '--metric', 'accuracy', '--metric', 'top-k-accuracy', '--k', '3']),
    ).toBeUndefined();
  });

  it('labels every loss and metric of a run that names one twice, by its options and given columns', () => {
    expect(
      labels([
        '--loss',
        'cross-entropy',
        '--loss',
        'cross-entropy',
        '--label-smoothing',
        '0.1',
        '--input',
        'pred',
        '--metric',
        'accuracy',
      ]),
    ).toEqual({ losses: ['defaults', 'label-smoothing=0.1 input=pred'], metrics: ['defaults'] });
    expect(
      labels(['--metric', 'top-k-accuracy', '--k', '2', '--metric', 'top-k-accuracy', '--k', '3']),
    ).toEqual({
      losses: [],
      metrics: ['k=2', 'k=3'],
    });
  });
});
