import { Field, Float, Int, Precision } from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { tensorLayout } from './tensorLayout.js';

describe('tensorLayout', () => {
  it('an Int or Float whose width Arrow does not define is refused, never a dtype no typed array has', () => {
    // Built by hand: a read schema with such a width is CORRUPT already (see ipcMetadata).
    const ints = new Field('target', new Int(true, 191 as 8));
    const floats = new Field('logits', new Float(7 as Precision));
    for (const field of [ints, floats]) {
      expect(tensorLayout(field)).toMatchObject({ usable: false, code: 'BAD_COLUMN_TYPE' });
    }
    expect(tensorLayout(new Field('x', new Float(Precision.HALF)))).toMatchObject({
      usable: false,
      reason: 'Float16 values cannot become a tensor here',
    });
    expect(tensorLayout(new Field('x', new Int(false, 32)))).toMatchObject({ usable: true, dtype: 'uint32' });
  });
});
