import { FastPathFallback } from './FastPathFallback.js';
import { PageCorruption } from './PageCorruption.js';

/**
 * A fast-path signal (a chunk it cannot read after all, or a damaged page): the general decoder then
 * reads the rows.
 */
export function isFastPathSignal(e: unknown): boolean {
  return e instanceof FastPathFallback || e instanceof PageCorruption;
}
