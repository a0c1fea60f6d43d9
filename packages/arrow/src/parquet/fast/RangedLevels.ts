/** What the levels of a big page told: where its values start and, once counted, its rows' first values. */
export interface RangedPage {
  readonly pos: number;
  /** A view of a reused buffer, valid until the next {@link RangedLevels.set}. */
  readonly starts: Int32Array | undefined;
}

interface Slot {
  at: number;
  pos: number;
  starts: Int32Array;
  /** −1: the rows were not counted. */
  length: number;
}

/**
 * The levels of the last few big pages walked (by body position), so the next rows of the same
 * page need neither their decompression nor their walk again. Each page's row starts are copied
 * into a buffer of its slot that is reused from page to page: a fresh half-MB array per page cost
 * more (fresh memory faults in at a fraction of copy speed) than walking the levels.
 *
 * @example
 * const known = new RangedLevels();
 * known.set(bodyAt, valuesAt, starts.view());
 * known.get(bodyAt)?.starts;
 */
export class RangedLevels {
  readonly #slots: Slot[] = [];
  #next = 0;

  constructor(private readonly capacity = 8) {}

  get(at: number): RangedPage | undefined {
    for (const slot of this.#slots) {
      if (slot.at !== at) continue;
      return { pos: slot.pos, starts: slot.length < 0 ? undefined : slot.starts.subarray(0, slot.length) };
    }
    return undefined;
  }

  /** Remembers page `at` (its values at `pos`, its rows' `starts` if counted), over the oldest page. */
  set(at: number, pos: number, starts: Int32Array | undefined): void {
    let slot = this.#slots.find((s) => s.at === at);
    if (slot === undefined) {
      if (this.#slots.length < this.capacity) {
        slot = { at, pos, starts: new Int32Array(0), length: -1 };
        this.#slots.push(slot);
      } else {
        slot = this.#slots[this.#next]!;
        this.#next = (this.#next + 1) % this.capacity;
      }
    }
    slot.at = at;
    slot.pos = pos;
    slot.length = -1;
    if (starts === undefined) return;
    if (slot.starts.length < starts.length) slot.starts = new Int32Array(Math.ceil(starts.length * 1.25));
    slot.starts.set(starts);
    slot.length = starts.length;
  }
}
