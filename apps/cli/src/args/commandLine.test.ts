import { describe, expect, it } from 'vitest';
import { commandLine } from './commandLine.js';

describe('commandLine', () => {
  it('quotes only the arguments a shell would split or expand', () => {
    expect(
      commandLine(['lossflow', 'eval', 'a.arrow', '--weight', '0.5,1', "it's here.arrow", '$HOME']),
    ).toBe(`lossflow eval a.arrow --weight 0.5,1 'it'\\''s here.arrow' '$HOME'`);
  });
});
