// Tableau 10: distinct hues for series with no order (runs, files, shards), readable on white.
const COLOURS: readonly string[] = [
  '#4e79a7',
  '#f28e2b',
  '#e15759',
  '#76b7b2',
  '#59a14f',
  '#edc948',
  '#b07aa1',
  '#ff9da7',
  '#9c755f',
  '#bab0ac',
];

/**
 * `n` colours for series with no order (runs, files): distinct hues, repeating after 10.
 *
 * @example
 * categoricalPalette(2); // ['#4e79a7', '#f28e2b']
 */
export function categoricalPalette(n: number): string[] {
  return Array.from({ length: n }, (_, i) => COLOURS[i % COLOURS.length]!);
}
