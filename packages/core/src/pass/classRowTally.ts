// The class-index metrics' sums over a batch, added by the fused cross-entropy kernel as it reads
// each row (assembly/crossEntropyClassStats.ts), so that accuracy, top-k and calibration error
// need no loop of their own over the per-row numbers: the same integer counts and the same float64
// additions in the same row order as their loops, so the same bits. Compiled once per process,
// where each thread's JS loops were compiled again in each worker.

/** The bins and k the kernel is asked to tally for (0: none). */
export interface ClassRowTallyRequest {
  readonly nBins: number;
  readonly k: number;
}

// Float64 slots: the request (set by the caller), then the kernel's counts.
const BINS = 0;
const K = 1;
const COUNTED = 2;
const CORRECT = 3;
const HITS = 4;
const APART = 5;
const HEAD = 6;

/**
 * A batch's tally: `values` as the kernel lays them out (see {@link newClassRowTally}), `ignore`
 * the target value it skipped (a metric with another ignoreIndex counts for itself).
 */
export interface ClassRowTally {
  readonly ignore: number;
  readonly values: Float64Array;
}

/** A zeroed tally for `request`, to hand to the kernel. */
export function newClassRowTally(request: ClassRowTallyRequest, ignore: number): ClassRowTally {
  const bins = request.nBins > 0 ? request.nBins + 1 : 0;
  const values = new Float64Array(HEAD + 4 * bins);
  values[BINS] = request.nBins;
  values[K] = request.k;
  return { ignore, values };
}

/**
 * The tally's [correct, counted] (accuracy) when usable for a metric skipping `ignore`: every row
 * counted by the kernel (none had NaN or an infinity); else `null`.
 */
export function tallyAccuracy(
  tally: ClassRowTally | null | undefined,
  ignore: number,
): [number, number] | null {
  if (!usable(tally, ignore)) return null;
  return [tally.values[CORRECT]!, tally.values[COUNTED]!];
}

/** As {@link tallyAccuracy}, [hits, counted] of top-`k` accuracy. */
export function tallyTopK(
  tally: ClassRowTally | null | undefined,
  ignore: number,
  k: number,
): [number, number] | null {
  if (!usable(tally, ignore) || tally.values[K] !== k) return null;
  return [tally.values[HITS]!, tally.values[COUNTED]!];
}

/**
 * As {@link tallyAccuracy}, calibrationError's `counts` (2·(nBins + 1)) and compensated `sums`
 * (2·(nBins + 1)) for `nBins` bins, as its loop would add them into a fresh state.
 */
export function tallyBins(
  tally: ClassRowTally | null | undefined,
  ignore: number,
  nBins: number,
): { counts: Float64Array; sums: Float64Array } | null {
  if (!usable(tally, ignore) || tally.values[BINS] !== nBins) return null;
  const n = 2 * (nBins + 1);
  return {
    counts: tally.values.subarray(HEAD, HEAD + n),
    sums: tally.values.subarray(HEAD + n, HEAD + 2 * n),
  };
}

function usable(tally: ClassRowTally | null | undefined, ignore: number): tally is ClassRowTally {
  return tally != null && tally.ignore === ignore && tally.values[APART] === 0;
}
