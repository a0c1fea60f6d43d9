import { formatLoss } from './numberFormat.js';

/**
 * How a table prints one column of loss values: the same number of decimals on every row, enough
 * for `significant` digits (7 by default: float32 carries about 7; the metric columns ask for 4)
 * of the column's smallest finite non-zero
 * magnitude, at most 10; a column with a magnitude below 1e-4 or from 1e7 up prints every value
 * with an exponent (as {@link formatLoss} prints one such value). `nan`, `inf` and `-inf` as torch
 * prints them. Digits that line up can be compared down the column, which significant digits
 * (1.691039 over 0.8869809) cannot.
 *
 * @example
 * const f = lossColumnFormat([1.691039, 0.2215476]);
 * f(1.691039); // '1.6910390'
 */
export function lossColumnFormat(values: readonly number[], significant = 7): (value: number) => string {
  let decimals = 0;
  let exponent = false;
  for (const v of values) {
    if (!Number.isFinite(v) || v === 0) continue;
    const magnitude = Math.abs(v);
    if (magnitude < 1e-4 || magnitude >= 1e7) exponent = true;
    else decimals = Math.max(decimals, significant - 1 - Math.floor(Math.log10(magnitude)));
  }
  const fixed = Math.min(decimals, 10);
  return (value) => {
    if (!Number.isFinite(value)) return formatLoss(value);
    return exponent ? value.toExponential(6) : value.toFixed(fixed);
  };
}
