/**
 * `1234567` → `1,234,567`, as `toLocaleString('en-US')` writes it: grouped here, since the first
 * `toLocaleString` of a process loads ICU's locale data (some 30 ms of CPU for every command).
 */
export function formatCount(n: number): string {
  const rounded = Math.round(n);
  if (!Number.isSafeInteger(rounded)) return rounded.toLocaleString('en-US');
  return String(rounded).replace(/\B(?=(\d{3})+$)/g, ',');
}

/** Bytes in decimal megabytes (as disks and `ls -h --si` count), e.g. `412.3 MB`; small sizes in kB or B. */
export function formatBytes(bytes: number): string {
  if (bytes >= 1e9) return `${(bytes / 1e9).toFixed(2)} GB`;
  if (bytes >= 1e6) return `${(bytes / 1e6).toFixed(1)} MB`;
  if (bytes >= 1e3) return `${(bytes / 1e3).toFixed(1)} kB`;
  return `${Math.round(bytes)} B`;
}

/** Milliseconds for people: `850 ms`, `12.4 s`, `3 min 05 s`. */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '–';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const s = ms / 1000;
  if (s < 60) return `${s.toFixed(1)} s`;
  const minutes = Math.floor(s / 60);
  return `${minutes} min ${String(Math.round(s - minutes * 60)).padStart(2, '0')} s`;
}

/**
 * A loss value for people: 7 significant digits (float32 carries about 7), no exponent for
 * ordinary magnitudes; `NaN`, `inf` and `-inf` as torch prints them.
 */
export function formatLoss(value: number): string {
  if (Number.isNaN(value)) return 'nan';
  if (!Number.isFinite(value)) return value > 0 ? 'inf' : '-inf';
  if (value === 0) return '0';
  const magnitude = Math.abs(value);
  if (magnitude >= 1e-4 && magnitude < 1e7) {
    const decimals = Math.max(0, 6 - Math.floor(Math.log10(magnitude)));
    return value.toFixed(Math.min(decimals, 10));
  }
  return value.toExponential(6);
}

/** A count with its noun: `1 batch`, `2 batches`, `1,000 rows`. */
export function formatCounted(n: number, one: string, many: string): string {
  return `${formatCount(n)} ${n === 1 ? one : many}`;
}
