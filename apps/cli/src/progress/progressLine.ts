import type { Style } from '../output/ansi.js';
import { formatBytes, formatCount, formatDuration } from '../output/numberFormat.js';

/** What a progress line shows. */
export interface ProgressState {
  /** What is happening: `reading`, `generating`. */
  readonly label: string;
  readonly rows: number;
  readonly bytes: number;
  /** The size the bytes go up to (0 when unknown: then the rows measure progress, if their total is known). */
  readonly totalBytes: number;
  /** The rows there will be, when known and the bytes are not (generating). */
  readonly totalRows?: number;
  readonly elapsedMs: number;
}

/**
 * One line of progress — bar, percent, rows, MB of total, MB/s and the ETA from the bytes still to
 * go at the rate so far — cut to `width` columns so a carriage return can redraw it in place.
 *
 * @example
 * progressLine({ label: 'reading', rows: 5e5, bytes: 2e8, totalBytes: 4e8, elapsedMs: 1000 }, 100, plain)
 * // 'reading  ██████░░░░░░  50%  500,000 rows  200.0/400.0 MB  200.0 MB/s  ETA 1.0 s'
 */
export function progressLine(state: ProgressState, width: number, style: Style): string {
  const seconds = state.elapsedMs / 1000;
  const rate = seconds > 0 ? state.bytes / seconds : 0;
  const byBytes = state.totalBytes > 0;
  const totalRows = state.totalRows ?? 0;
  const fraction = byBytes
    ? Math.min(1, state.bytes / state.totalBytes)
    : totalRows > 0
      ? Math.min(1, state.rows / totalRows)
      : undefined;
  const parts: string[] = [state.label];
  if (fraction !== undefined) {
    // 12 cells keep the whole line, ETA included, within an 80-column terminal.
    const cells = 12;
    const full = Math.round(fraction * cells);
    parts.push(
      `${style.cyan('█'.repeat(full))}${style.dim('░'.repeat(cells - full))} ${String(Math.floor(fraction * 100)).padStart(3)}%`,
    );
  }
  parts.push(
    totalRows > 0 && !byBytes
      ? `${formatCount(state.rows)} / ${formatCount(totalRows)} rows`
      : `${formatCount(state.rows)} rows`,
  );
  if (byBytes) parts.push(bytesOfTotal(state.bytes, state.totalBytes));
  else if (state.bytes > 0) parts.push(formatBytes(state.bytes));
  if (rate > 0) parts.push(`${formatBytes(rate)}/s`);
  if (fraction !== undefined && fraction > 0 && seconds > 0) {
    parts.push(`ETA ${formatDuration(((1 - fraction) / fraction) * state.elapsedMs)}`);
  }
  return fit(parts.join('  '), width);
}

/** `17.2/126.0 MB`: both in the unit of the total. */
function bytesOfTotal(bytes: number, total: number): string {
  const [unit, name] =
    total >= 1e9 ? [1e9, 'GB'] : total >= 1e6 ? [1e6, 'MB'] : total >= 1e3 ? [1e3, 'kB'] : [1, 'B'];
  const digits = unit === 1 ? 0 : 1;
  return `${(bytes / unit).toFixed(digits)}/${(total / unit).toFixed(digits)} ${name}`;
}

/** Cuts text to `width` visible columns, leaving ANSI escapes intact. */
function fit(text: string, width: number): string {
  let visible = 0;
  let out = '';
  for (let i = 0; i < text.length; i++) {
    if (text[i] === '\u001b') {
      const end = text.indexOf('m', i);
      out += text.slice(i, end + 1);
      i = end;
      continue;
    }
    if (visible >= width) continue;
    out += text[i];
    visible++;
  }
  return out;
}
