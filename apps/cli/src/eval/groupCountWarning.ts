import type { GroupKey, LossChunk } from '@lossflow/rx';

/** Groups past which `--by` is probably not the column meant, and the output and report get large. */
export const MANY_GROUPS = 10_000;

/**
 * Counts the distinct `--by` keys of one loss's chunks and calls `warn` once, when the count passes
 * {@link MANY_GROUPS}. It stops counting (and lets its keys go) then, so it never holds more than
 * that many keys.
 */
export class GroupCountWarning {
  #keys: Set<GroupKey> | undefined = new Set();
  readonly #warn: () => void;

  constructor(warn: () => void) {
    this.#warn = warn;
  }

  /** Counts a chunk's keys. */
  add(chunk: LossChunk): void {
    const keys = this.#keys;
    if (keys === undefined || chunk.groups === undefined) return;
    for (const g of chunk.groups) keys.add(g.key);
    if (keys.size <= MANY_GROUPS) return;
    this.#keys = undefined;
    this.#warn();
  }
}
