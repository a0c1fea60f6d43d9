/** Evenly spaced round tick values covering a range, and the step between them. */
export interface Ticks {
  readonly values: readonly number[];
  readonly step: number;
  /** The extended range: first and last tick. */
  readonly min: number;
  readonly max: number;
}

/**
 * About `count` ticks at multiples of 1, 2 or 5 × 10^k that cover `[min, max]` (Heckbert's
 * "nice numbers"), so axes read 0.2, 0.4, 0.6 rather than 0.183, 0.366. A degenerate range is
 * widened around its value.
 *
 * @example
 * niceTicks(0.183, 1.69, 5).values; // [0, 0.5, 1, 1.5, 2]
 */
export function niceTicks(min: number, max: number, count = 5): Ticks {
  if (!Number.isFinite(min) || !Number.isFinite(max)) return niceTicks(0, 1, count);
  if (max < min) [min, max] = [max, min];
  if (max === min) {
    const pad = min === 0 ? 1 : Math.abs(min) * 0.1;
    min -= pad;
    max += pad;
  }
  const step = nice((max - min) / Math.max(1, count - 1));
  let first = Math.floor(min / step) * step;
  let last = Math.ceil(max / step) * step;
  // min / step can underflow to ±0 for subnormal values; the range must still be covered.
  if (first > min) first -= step;
  if (last < max) last += step;
  const values: number[] = [];
  // Rounding to the step's decimals keeps 0.30000000000000004 out of the labels.
  const decimals = Math.max(0, -Math.floor(Math.log10(step)) + 1);
  const round = (v: number): number => Number(v.toFixed(Math.min(decimals, 15)));
  for (let v = first; v <= last + step / 2; v += step) values.push(round(v));
  // Near the limits of float64 (999999.9999999999 with a step of 1e-6) the rounding can move an
  // end tick inside the range: one more tick covers it again.
  if (values[0]! > min) values.unshift(round(first - step));
  if (values.at(-1)! < max) values.push(round(last + step));
  return { values, step, min: values[0]!, max: values.at(-1)! };
}

function nice(x: number): number {
  const exponent = Math.floor(Math.log10(x));
  const f = x / 10 ** exponent;
  const niceFraction = f < 1.5 ? 1 : f < 3 ? 2 : f < 7 ? 5 : 10;
  return niceFraction * 10 ** exponent;
}

/** A tick label with as many decimals as the step needs, and k/M for large round numbers. */
export function tickLabel(value: number, step: number): string {
  if (Math.abs(step) >= 1000 && Number.isInteger(value)) {
    if (value !== 0 && value % 1e6 === 0) return `${value / 1e6}M`;
    if (value !== 0 && value % 1e3 === 0) return `${value / 1e3}k`;
    return value.toLocaleString('en-US');
  }
  const decimals = Math.max(0, -Math.floor(Math.log10(step) + 1e-9));
  return value.toFixed(Math.min(decimals, 10));
}
