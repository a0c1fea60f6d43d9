// The pure part of the end-to-end benchmark (scripts/bench/e2e.mjs): medians of interleaved runs
// and the text of its tables. Kept apart so a test can check the table's shape without running
// (or timing) anything.

/** `x` with a k/M/G suffix and two decimals (rows/s). */
export function fmtCount(x) {
  if (!Number.isFinite(x)) return '-';
  return x >= 1e9
    ? `${(x / 1e9).toFixed(2)} G`
    : x >= 1e6
      ? `${(x / 1e6).toFixed(2)} M`
      : x >= 1e3
        ? `${(x / 1e3).toFixed(2)} k`
        : x.toFixed(2);
}

/** Seconds as whole milliseconds, `-` when unknown. */
export const ms = (s) => (s === undefined ? '-' : `${(s * 1e3).toFixed(0)} ms`);

/** Bytes as whole MB, `-` when unknown. */
export const mb = (b) => (b === undefined ? '-' : `${(b / 1e6).toFixed(0)} MB`);

/** CPU seconds (user + system), `-` when unknown. */
export const cpu = (s) => (s === undefined ? '-' : `${s.toFixed(2)} s`);

/** How many times faster a row of `seconds` is than `base` seconds (above 1: faster); `-` without a base. */
export const speed = (base, seconds) => (base === undefined ? '-' : `${(base / seconds).toFixed(2)}x`);

/** `part` as a whole percentage of `whole`. */
export const percent = (part, whole) => `${((part / whole) * 100).toFixed(0)}%`;

/** GB/s of `bytes` in `seconds`, two decimals. */
export const gbps = (bytes, seconds) => (bytes / seconds / 1e9).toFixed(2);

/**
 * The run of `runs` with the median wall time (the lower middle of an even count), with the
 * highest peak RSS of them all (`peak`), and how many runs there were (`runs`).
 *
 * @param {readonly { seconds: number, cpu?: number, peak?: number }[]} runs
 */
export function medianRun(runs) {
  if (runs.length === 0) throw new Error('no runs to take the median of');
  const sorted = [...runs].sort((a, b) => a.seconds - b.seconds);
  const mid = sorted[Math.floor((sorted.length - 1) / 2)];
  const peaks = runs.map((r) => r.peak).filter((p) => p !== undefined);
  return { ...mid, peak: peaks.length === 0 ? undefined : Math.max(...peaks), runs: runs.length };
}

/**
 * An aligned text table: the first column left-aligned, the others right-aligned, a rule under
 * the header. Every line must have as many cells as the header.
 *
 * @param {readonly string[]} header
 * @param {readonly (readonly string[])[]} lines
 */
export function formatTable(header, lines) {
  for (const l of lines) {
    if (l.length !== header.length)
      throw new Error(`a table line has ${l.length} cells, its header ${header.length}: ${l.join(' | ')}`);
  }
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i].length)));
  const row = (cells) =>
    cells
      .map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i])))
      .join('  ')
      .trimEnd();
  return [row(header), widths.map((w) => '-'.repeat(w)).join('  '), ...lines.map(row)].join('\n');
}
