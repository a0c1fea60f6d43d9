// A fixed LCG so every run sees the same data without a dependency.

/** Uniform numbers in [0, 1) from a 32-bit LCG started at `seed`: the same sequence on every run. */
export function seededRandom(seed) {
  let state = seed;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}
