import type { Style } from '../output/ansi.js';
import { type ProgressState, progressLine } from './progressLine.js';

/** Where progress goes: stderr, or a test double. */
export interface ProgressStream {
  write(text: string): unknown;
  readonly isTTY?: boolean | undefined;
  readonly columns?: number | undefined;
}

/**
 * Redraws one progress line in place on a terminal, at most ten times a second, and erases it
 * when done. Silent when disabled (`--quiet`, or stderr is not a terminal: logs and pipes get no
 * carriage-return noise).
 */
export class ProgressReporter {
  readonly #stream: ProgressStream;
  readonly #enabled: boolean;
  readonly #style: Style;
  readonly #now: () => number;
  readonly #start: number;
  #lastDraw = Number.NEGATIVE_INFINITY;
  #drawn = false;

  constructor(stream: ProgressStream, enabled: boolean, style: Style, now: () => number = Date.now) {
    this.#stream = stream;
    this.#enabled = enabled;
    this.#style = style;
    this.#now = now;
    this.#start = now();
  }

  /** Milliseconds since the reporter was made. */
  elapsed(): number {
    return this.#now() - this.#start;
  }

  /** Shows `state` unless a line was drawn less than 100 ms ago. */
  update(state: Omit<ProgressState, 'elapsedMs'>): void {
    if (!this.#enabled) return;
    const now = this.#now();
    if (now - this.#lastDraw < 100) return;
    this.#lastDraw = now;
    // A pseudo-terminal without a size reports 0 columns: treat it as unknown.
    const width = Math.max(20, (this.#stream.columns || 80) - 1);
    this.#stream.write(
      `\r${progressLine({ ...state, elapsedMs: now - this.#start }, width, this.#style)}\u001b[K`,
    );
    this.#drawn = true;
  }

  /** Erases the line, so what follows starts on a clean line. */
  done(): void {
    if (this.#drawn) this.#stream.write('\r\u001b[K');
    this.#drawn = false;
  }
}
