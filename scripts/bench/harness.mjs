// Shared benchmark helpers: median-of-N timing and one aligned table per run.
// Benchmarks measure; they never assert. Every row states rows/s and GB/s beside its baseline.

/** Median wall time in seconds of `runs` calls of `fn` (after one warm-up call). */
export function median(fn, runs = 5) {
  fn();
  const times = [];
  for (let i = 0; i < runs; i++) {
    const t0 = process.hrtime.bigint();
    fn();
    times.push(Number(process.hrtime.bigint() - t0) / 1e9);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)];
}

/** Async variant of {@link median}. */
export async function medianAsync(fn, runs = 3) {
  await fn();
  const times = [];
  for (let i = 0; i < runs; i++) {
    const t0 = process.hrtime.bigint();
    await fn();
    times.push(Number(process.hrtime.bigint() - t0) / 1e9);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)];
}

const fmt = (x, digits = 2) =>
  x >= 1e9
    ? `${(x / 1e9).toFixed(digits)} G`
    : x >= 1e6
      ? `${(x / 1e6).toFixed(digits)} M`
      : x >= 1e3
        ? `${(x / 1e3).toFixed(digits)} k`
        : x.toFixed(digits);

/**
 * Prints rows `{ name, rows, bytes, seconds, baseline?: { name, seconds } }` as a table:
 * rows/s, GB/s, and the baseline's GB/s and the ratio when a baseline is given.
 */
export function printTable(title, rows) {
  const header = ['case', 'rows', 'time', 'rows/s', 'GB/s', 'baseline', 'baseline GB/s', 'ratio'];
  const lines = rows.map((r) => {
    const gbs = r.bytes / r.seconds / 1e9;
    const base = r.baseline;
    const baseGbs = base ? r.bytes / base.seconds / 1e9 : undefined;
    return [
      r.name,
      fmt(r.rows, 1),
      `${(r.seconds * 1e3).toFixed(1)} ms`,
      fmt(r.rows / r.seconds),
      gbs.toFixed(3),
      base ? base.name : '-',
      baseGbs !== undefined ? baseGbs.toFixed(3) : '-',
      baseGbs !== undefined ? `${(gbs / baseGbs).toFixed(2)}x` : '-',
    ];
  });
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i].length)));
  const row = (cells) =>
    cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  console.log(`\n${title}`);
  console.log(row(header));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const l of lines) console.log(row(l));
}
