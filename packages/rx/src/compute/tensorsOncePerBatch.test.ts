import type { BatchTensors } from '@lossflow/arrow';
import { describe, expect, it } from 'vitest';
import { tensorsOncePerBatch } from './tensorsOncePerBatch.js';

function counting() {
  const calls: unknown[] = [];
  const of = tensorsOncePerBatch((columns, options) => {
    calls.push([columns, options]);
    return { tensors: {}, rows: calls.length, skipped: 0 } satisfies BatchTensors;
  });
  return { calls, of };
}

describe('tensorsOncePerBatch', () => {
  it('builds the tensors of the same columns and options once', () => {
    const { calls, of } = counting();
    const a = of({ input: 'logits', target: 'target' }, { nulls: 'error' });
    const b = of({ input: 'logits', target: 'target' }, { nulls: 'error' });
    expect(b).toBe(a);
    expect(calls).toHaveLength(1);
  });

  it('shares a loss’s build whose nullable roles read no column', () => {
    const { calls, of } = counting();
    const loss = of({ input: 'logits', target: 'target' }, { nulls: 'error', nullable: ['step'] });
    expect(of({ input: 'logits', target: 'target' }, { nulls: 'error' })).toBe(loss);
    expect(calls).toHaveLength(1);
  });

  it('builds apart for other columns, other options or a nullable role that reads a column', () => {
    const { calls, of } = counting();
    of({ input: 'logits', target: 'target' }, { nulls: 'error' });
    of({ input: 'probs', target: 'target' }, { nulls: 'error' });
    of({ input: 'logits', target: 'target' }, { nulls: 'skip' });
    of({ input: 'logits', target: 'target', step: 'step' }, { nulls: 'error' });
    of({ input: 'logits', target: 'target', step: 'step' }, { nulls: 'error', nullable: ['step'] });
    expect(calls).toHaveLength(5);
  });

  it('keeps no error: each caller gets its own', () => {
    let n = 0;
    const of = tensorsOncePerBatch(() => {
      n++;
      throw new Error(`bad ${n}`);
    });
    expect(() => of({ input: 'x' }, {})).toThrow('bad 1');
    expect(() => of({ input: 'x' }, {})).toThrow('bad 2');
  });
});
