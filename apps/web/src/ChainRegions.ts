import type { ChainOutcome, ChainRegion } from './ipcChain.js';

/** A region's walk as its worker reports it: where it began and ended, and what it found. */
export interface ChainReply<B, E> extends Omit<ChainOutcome, 'error'> {
  /** The batches the walk computed, in file order. */
  readonly batches: readonly B[];
  /** What failed after them. */
  readonly error: E | undefined;
}

/** How the walks of a stream ended, once their chain from its start is known. */
export type ChainEnd =
  | { readonly kind: 'eos' }
  | { readonly kind: 'error' }
  /**
   * At a batch the workers leave to the page (see `ChainOutcome.big`), a message's true start, with
   * the record batch messages before it (empty ones too).
   */
  | { readonly kind: 'big'; readonly at: number; readonly batchesBefore: number };

/**
 * Cuts an Arrow IPC stream, from a message's start (`start`) to its end, into regions of
 * `regionBytes` that workers walk side by side (see `walkIpcChain`), and takes their replies only
 * along the stream's true chain of messages: a region's batches count when its walk began where
 * the walk of the region before it ended, which makes every region's walk the one a reader from
 * the start would have made. A region whose walk began elsewhere (its start only looked like a
 * message, or it found none) is walked again from there (`exact`); a region that lies wholly
 * inside a message of the one before is passed over. A walk's error is taken only from an exact
 * walk, which counts the stream's record batches before it as the CLI does (in the errors that
 * count them); a region whose other walk failed is walked again exactly. Replies may come in any
 * order.
 *
 * @example
 * const chain = new ChainRegions(start, file.size, 64 << 20, batchesBefore);
 * for (let r = chain.take(); r !== undefined; r = chain.take()) send(r);
 * // on each reply:
 * const { accepted, resend } = chain.settle(key, reply);
 */
export class ChainRegions<B, E> {
  readonly #entries: { region: ChainRegion; reply: ChainReply<B, E> | undefined }[] = [];
  /** The entry of each region out, by key. */
  readonly #byKey = new Map<number, number>();
  /** Where the next accepted region's walk must begin: a true message start. */
  #verified: number;
  /** Record batch messages (empty ones too) before `#verified`. */
  #before: number;
  /** The first entry not accepted yet. */
  #accept = 0;
  #next: number;
  #keys = 0;
  #end: ChainEnd | undefined;

  constructor(
    start: number,
    private readonly size: number,
    private readonly regionBytes: number,
    /** Record batch messages (empty ones too) before `start`. */
    batchesBefore = 0,
  ) {
    this.#verified = start;
    this.#before = batchesBefore;
    this.#next = start;
  }

  /** How the chain ended, once it did: every batch before that was accepted. */
  get end(): ChainEnd | undefined {
    return this.#end;
  }

  /** The next region to walk, or `undefined` once the stream is covered or the chain ended. */
  take(): ChainRegion | undefined {
    if (this.#end !== undefined || this.#next >= this.size) return undefined;
    const start = this.#next;
    const exact = this.#entries.length === 0;
    const region: ChainRegion = {
      key: this.#keys++,
      start,
      limit: Math.min(this.size, start + this.regionBytes),
      exact,
      batchesBefore: exact ? this.#before : undefined,
    };
    this.#next = region.limit;
    this.#byKey.set(region.key, this.#entries.length);
    this.#entries.push({ region, reply: undefined });
    return region;
  }

  /**
   * Records the reply of region `key` (a reply for a region passed over, or after the end, is
   * dropped). Returns the replies accepted by it, in file order, and the regions to walk again.
   */
  settle(key: number, reply: ChainReply<B, E>): { accepted: ChainReply<B, E>[]; resend: ChainRegion[] } {
    const accepted: ChainReply<B, E>[] = [];
    const resend: ChainRegion[] = [];
    const at = this.#byKey.get(key);
    this.#byKey.delete(key);
    if (at === undefined || at < this.#accept || this.#end !== undefined) return { accepted, resend };
    this.#entries[at]!.reply = reply;
    while (this.#end === undefined && this.#accept < this.#entries.length) {
      const entry = this.#entries[this.#accept]!;
      if (this.#verified >= entry.region.limit) {
        // No message starts in it: the one before ran past it.
        this.#byKey.delete(entry.region.key);
        this.#accept++;
        continue;
      }
      const r = entry.reply;
      if (r === undefined) break;
      // A walk that began elsewhere is off the chain; one that began here but not exactly counted
      // the batches in its error from where it began.
      if (r.first !== this.#verified || (r.error !== undefined && !entry.region.exact)) {
        const again: ChainRegion = {
          key: this.#keys++,
          start: this.#verified,
          limit: entry.region.limit,
          exact: true,
          batchesBefore: this.#before,
        };
        entry.region = again;
        entry.reply = undefined;
        this.#byKey.set(again.key, this.#accept);
        resend.push(again);
        break;
      }
      accepted.push(r);
      this.#accept++;
      this.#before += r.recordBatches;
      if (r.error !== undefined) this.#end = { kind: 'error' };
      else if (r.big !== undefined) this.#end = { kind: 'big', at: r.big, batchesBefore: this.#before };
      else if (r.eos) this.#end = { kind: 'eos' };
      else if (r.end === undefined || r.end < entry.region.limit) {
        // A walk stops only at its limit, at the end of the stream or at a failure.
        throw new Error(`a region's walk ended at ${String(r.end)}, before its limit ${entry.region.limit}`);
      } else this.#verified = r.end;
    }
    return { accepted, resend };
  }
}
