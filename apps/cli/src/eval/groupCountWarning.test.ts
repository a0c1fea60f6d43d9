import { describe, expect, it } from 'vitest';
import { mseChunk } from '../testing/chunks.js';
import { GroupCountWarning, MANY_GROUPS } from './groupCountWarning.js';

describe('GroupCountWarning', () => {
  it(`warns once, when the distinct keys pass ${MANY_GROUPS}, however often keys recur`, () => {
    let warnings = 0;
    const w = new GroupCountWarning(() => warnings++);
    const keysOf = (from: number, n: number) => Array.from({ length: n }, (_, i) => from + i);
    const batch = (keys: number[], index: number) =>
      mseChunk(
        index,
        keys.map(() => 1),
        keys.map(() => 0),
        keys,
      );
    w.add(batch(keysOf(0, MANY_GROUPS), 0));
    w.add(batch(keysOf(0, MANY_GROUPS), 1));
    expect(warnings).toBe(0);
    w.add(batch([MANY_GROUPS], 2));
    expect(warnings).toBe(1);
    w.add(batch(keysOf(MANY_GROUPS + 1, 10), 3));
    expect(warnings).toBe(1);
  });
});
