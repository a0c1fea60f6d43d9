import { LOSSES } from '@lossflow/core';
import { describe, expect, it } from 'vitest';
import { crossEntropy } from './lossOperators.js';
import { STREAM_OPTION_KEYS } from './streamOptions.js';

describe('stream options', () => {
  it('are the keys of StreamOptions', () => {
    expect([...STREAM_OPTION_KEYS].sort()).toEqual(['by', 'groupBudget', 'nulls', 'perRow', 'step']);
  });

  // An operator splits its flat options by name: a loss option or role spelled like a stream
  // option would be taken as the stream option and never reach the loss.
  it.each(LOSSES.map((d) => [d.name, d] as const))('collide with no option or role of %s', (_, d) => {
    const names = [...d.optionKeys, ...d.roles.map((r) => r.name)];
    expect(names.filter((n) => (STREAM_OPTION_KEYS as readonly string[]).includes(n))).toEqual([]);
  });

  it('reach the stream, not the loss: a loss given `by` still gets only its own options', () => {
    // Would be INVALID_OPTION from the core loss if `by` reached it.
    expect(() => crossEntropy({ by: 'epoch', nulls: 'skip', ignoreIndex: 1 })).not.toThrow();
  });
});
