import { describe, expect, it } from 'vitest';
import { categoricalPalette } from './categoricalPalette.js';
import { seriesColours } from './seriesColours.js';
import { seriesPalette } from './seriesPalette.js';

describe('seriesColours', () => {
  it('gives epochs an ordered palette and runs distinct hues', () => {
    expect(seriesColours([0, 1, 2])).toEqual(seriesPalette(3));
    expect(seriesColours(['a', 'b'])).toEqual(categoricalPalette(2));
  });

  it('with --by run,epoch: one hue per run, a shade of it per epoch', () => {
    const keys = ['a', 'b'].flatMap((run) => [0, 1, 2].map((epoch) => ({ run, epoch })));
    const colours = seriesColours(keys);
    expect(new Set(colours).size).toBe(6);
    const [blue, orange] = categoricalPalette(2);
    // The middle epoch of each run is near the run's hue; the shades of a run differ from the other's.
    const near = (a: string, b: string) =>
      [1, 3, 5].every(
        (i) => Math.abs(Number.parseInt(a.slice(i, i + 2), 16) - Number.parseInt(b.slice(i, i + 2), 16)) < 30,
      );
    expect(near(colours[1]!, blue!)).toBe(true);
    expect(near(colours[4]!, orange!)).toBe(true);
    expect(near(colours[4]!, blue!)).toBe(false);
  });
});
