// Viridis anchors: perceptually ordered and readable by the colour-blind, so later epochs read as
// "further along" without the legend. The light yellow end is left out: it vanishes on white.
const ANCHORS: readonly (readonly [number, number, number])[] = [
  [68, 1, 84],
  [72, 40, 120],
  [62, 73, 137],
  [49, 104, 142],
  [38, 130, 142],
  [31, 158, 137],
  [53, 183, 121],
  [110, 206, 88],
  [181, 222, 43],
];
const LAST_USABLE = 0.85;

/**
 * `n` colours for ordered series (epochs), from dark purple through blue and green, as CSS hex.
 *
 * @example
 * seriesPalette(2); // ['#440154', '#7ad151'-ish]
 */
export function seriesPalette(n: number): string[] {
  return Array.from({ length: n }, (_, i) => colorAt(n === 1 ? 0.3 : (i / (n - 1)) * LAST_USABLE));
}

function colorAt(t: number): string {
  const x = Math.min(1, Math.max(0, t)) * (ANCHORS.length - 1);
  const i = Math.min(ANCHORS.length - 2, Math.floor(x));
  const f = x - i;
  const a = ANCHORS[i]!;
  const b = ANCHORS[i + 1]!;
  return `#${[0, 1, 2]
    .map((k) =>
      Math.round(a[k]! + (b[k]! - a[k]!) * f)
        .toString(16)
        .padStart(2, '0'),
    )
    .join('')}`;
}
