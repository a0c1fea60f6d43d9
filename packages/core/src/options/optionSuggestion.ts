/** The option a wrong key probably meant, and why when that is not obvious. */
export interface OptionSuggestion {
  readonly key: string;
  readonly note?: string;
}

/** torch's deprecated reduction flags: both became `reduction`. */
const DEPRECATED_REDUCTION = new Set(['reduce', 'size_average', 'sizeAverage']);

/**
 * The option of `known` that `key` most likely meant: the camelCase form of a torch (snake_case)
 * name (`ignore_index` → `ignoreIndex`), the same name in another case or without a plural `s`
 * (`weights` → `weight`), torch's deprecated `reduce` / `size_average` → `reduction`, or a close
 * spelling (an edit distance of 1, 2 for longer names). `undefined` when nothing is close.
 *
 * @example
 * suggestOption('label_smoothing', ['reduction', 'labelSmoothing']); // { key: 'labelSmoothing' }
 */
export function suggestOption(key: string, known: readonly string[]): OptionSuggestion | undefined {
  if (DEPRECATED_REDUCTION.has(key) && known.includes('reduction')) {
    return {
      key: 'reduction',
      note: "torch deprecated size_average and reduce in favour of reduction ('mean', 'sum' or 'none').",
    };
  }
  const target = normalized(key);
  const singular = target.endsWith('s') ? target.slice(0, -1) : target;
  let best: string | undefined;
  let bestDistance = target.length >= 6 ? 2 : 1;
  for (const k of known) {
    const n = normalized(k);
    if (n === target || n === singular) return { key: k };
    const d = editDistance(n, target);
    if (d < bestDistance || (d === bestDistance && best === undefined)) {
      best = k;
      bestDistance = d;
    }
  }
  return best === undefined ? undefined : { key: best };
}

/** Lower case without `_` and `-`, so `ignore_index`, `IgnoreIndex` and `ignoreIndex` compare equal. */
function normalized(key: string): string {
  return key.toLowerCase().replace(/[_-]/g, '');
}

/** Optimal string alignment distance (Levenshtein plus adjacent transpositions) of two short names. */
function editDistance(a: string, b: string): number {
  const rows = a.length + 1;
  const cols = b.length + 1;
  const d: number[] = new Array(rows * cols).fill(0);
  for (let i = 0; i < rows; i++) d[i * cols] = i;
  for (let j = 0; j < cols; j++) d[j] = j;
  for (let i = 1; i < rows; i++) {
    for (let j = 1; j < cols; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min(
        d[(i - 1) * cols + j]! + 1,
        d[i * cols + j - 1]! + 1,
        d[(i - 1) * cols + j - 1]! + cost,
      );
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        v = Math.min(v, d[(i - 2) * cols + j - 2]! + 1);
      }
      d[i * cols + j] = v;
    }
  }
  return d[rows * cols - 1]!;
}
