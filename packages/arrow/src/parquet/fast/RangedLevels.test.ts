import { describe, expect, it } from 'vitest';
import { RangedLevels } from './RangedLevels.js';

describe('RangedLevels', () => {
  it('gives back each page’s values position and a copy of its row starts, the oldest page replaced', () => {
    const known = new RangedLevels(2);
    const starts = Int32Array.of(0, 100, 200);
    known.set(10, 7, starts);
    starts[1] = -5; // the caller's buffer is reused: the pages keep their own copy
    known.set(20, 9, undefined);
    expect(known.get(10)).toEqual({ pos: 7, starts: Int32Array.of(0, 100, 200) });
    expect(known.get(20)).toEqual({ pos: 9, starts: undefined });
    // Counted later: the same page's slot.
    known.set(20, 9, Int32Array.of(1, 2));
    expect(known.get(20)?.starts).toEqual(Int32Array.of(1, 2));
    known.set(30, 3, Int32Array.of(5));
    expect(known.get(10)).toBeUndefined();
    expect(known.get(20)?.pos).toBe(9);
    expect(known.get(30)).toEqual({ pos: 3, starts: Int32Array.of(5) });
    expect(known.get(40)).toBeUndefined();
  });
});
