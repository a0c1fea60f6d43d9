import type { DisplayKey } from '../eval/displayKey.js';
import { categoricalPalette } from './categoricalPalette.js';
import { seriesPalette } from './seriesPalette.js';

/**
 * One colour per series, from its key: ordered numeric keys (epochs) an ordered palette; several
 * keys (`--by run,epoch`) one hue per value of the keys but the last (a run) and a shade of it per
 * value of the last (its epochs, dark to light), so a run's lines read as one family; other keys
 * (runs, files) distinct hues.
 *
 * @example
 * seriesColours([{ run: 'a', epoch: 0 }, { run: 'a', epoch: 1 }, { run: 'b', epoch: 0 }]);
 * // two shades of blue, then an orange
 */
export function seriesColours(keys: readonly (DisplayKey | null)[]): string[] {
  if (keys.every((k) => k === null || typeof k === 'number')) return seriesPalette(keys.length);
  if (!keys.every((k) => k !== null && typeof k === 'object' && Object.keys(k).length > 1))
    return categoricalPalette(keys.length);
  const families = keys.map((k) => familyOf(k as Record<string, unknown>));
  const order = [...new Set(families)];
  const hues = categoricalPalette(order.length);
  const sizes = new Map<string, number>();
  for (const f of families) sizes.set(f, (sizes.get(f) ?? 0) + 1);
  const seen = new Map<string, number>();
  return families.map((f) => {
    const j = seen.get(f) ?? 0;
    seen.set(f, j + 1);
    const m = sizes.get(f)!;
    // From darker (-0.35) to lighter (+0.45) than the hue: every shade stays readable on white.
    const shade = m === 1 ? 0 : -0.35 + (0.8 * j) / (m - 1);
    return shaded(hues[order.indexOf(f)]!, shade);
  });
}

/** The key without its last name: the series a `run,epoch` key belongs to. */
function familyOf(key: Record<string, unknown>): string {
  return JSON.stringify(Object.values(key).slice(0, -1));
}

/** `hex` mixed toward black (`amount` < 0) or white (> 0). */
function shaded(hex: string, amount: number): string {
  const target = amount < 0 ? 0 : 255;
  const t = Math.abs(amount);
  return `#${[1, 3, 5]
    .map((at) => {
      const c = Number.parseInt(hex.slice(at, at + 2), 16);
      return Math.round(c + (target - c) * t)
        .toString(16)
        .padStart(2, '0');
    })
    .join('')}`;
}
