/**
 * TensorBoard's smoothing of a noisy curve: an exponential moving average with weight `weight`
 * (0: none, 0.99: heavy), debiased so the first points are not pulled towards zero. Non-finite
 * values are passed through and left out of the average. The report's inline script does the same
 * in the browser (see `reportScript`), so the page drawn with and without script agree.
 *
 * @example
 * emaSmoothing([1, 0, 1], 0.5); // [1, 0.333…, 0.714…]
 */
export function emaSmoothing(values: readonly number[], weight: number): number[] {
  let last = 0;
  let count = 0;
  return values.map((v) => {
    if (!Number.isFinite(v)) return v;
    last = last * weight + (1 - weight) * v;
    count++;
    const debias = weight === 0 ? 1 : 1 - weight ** count;
    return last / debias;
  });
}
