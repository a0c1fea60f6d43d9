import { LiveRunError } from './LiveRunError.js';

/** A batch message as {@link RunOrder} needs it (a `JsMsg` is one). */
export interface OrderedMessage {
  readonly data: Uint8Array;
  readonly info: { readonly streamSequence: number };
}

/** Where a run's messages come from, for errors. */
export interface RunOrderContext {
  readonly subject: string;
  readonly stream: string;
  readonly run: string;
}

/** Batch messages held back for an earlier one, at most: a publisher keeps far fewer unacknowledged. */
const MAX_HELD = 1024;

const LOST_HINT =
  'Messages of the run were lost (removed by a stream limit or by hand): publish the run again under a new run id.';

/**
 * Puts a run's batch messages back in the run's order (`Lossflow-Seq` 0, 1, 2, …). A pipelined
 * publisher whose publish is retried stores that message after later ones, so the stream's order
 * is not always the run's: a message ahead of its turn is held (at most `maxBytes` of them, and
 * 1024) until the ones before it arrive. A repeat of a sequence already taken (a retry stored
 * twice, after the duplicate window) is dropped: it carries the same rows. A missing message is a
 * `GAP`, found at the end-of-run marker, or earlier when the held messages pass the bound.
 */
export class RunOrder<M extends OrderedMessage> {
  private readonly held = new Map<number, M>();
  private heldBytes = 0;
  /** The next sequence to hand out. */
  private next = 0;

  constructor(
    private readonly context: RunOrderContext,
    private readonly maxBytes: number,
  ) {}

  /** Batch messages handed out so far. */
  get taken(): number {
    return this.next;
  }

  /**
   * Takes batch message `seq` and returns the messages now due, in order (none while an earlier
   * one is missing).
   *
   * @throws {LiveRunError} `GAP` when more is held than the bound allows.
   */
  take(message: M, seq: number): { message: M; seq: number }[] {
    if (seq < this.next || this.held.has(seq)) return [];
    if (seq > this.next) {
      this.held.set(seq, message);
      this.heldBytes += message.data.byteLength;
      if (this.heldBytes > this.maxBytes || this.held.size > MAX_HELD) throw this.gap();
      return [];
    }
    const due = [{ message, seq }];
    this.next += 1;
    for (let m = this.held.get(this.next); m !== undefined; m = this.held.get(this.next)) {
      this.held.delete(this.next);
      this.heldBytes -= m.data.byteLength;
      due.push({ message: m, seq: this.next });
      this.next += 1;
    }
    return due;
  }

  /**
   * The end-of-run marker (stream sequence `streamSequence`) counts `count` batch messages: every
   * one of them must have been handed out.
   *
   * @throws {LiveRunError} `GAP` otherwise.
   */
  end(count: number, streamSequence: number): void {
    if (this.held.size > 0) throw this.gap();
    if (count !== this.next) {
      throw new LiveRunError(
        'GAP',
        `the end-of-run marker counts ${count} batch messages but ${this.next} were read`,
        { ...this.context, streamSequence, hint: LOST_HINT },
      );
    }
  }

  /** The error for the first missing message, named by the earliest message held after it. */
  private gap(): LiveRunError {
    const after = Math.min(...this.held.keys());
    const m = this.held.get(after) as M;
    return new LiveRunError('GAP', `batch message ${this.next} is missing (the next one is ${after})`, {
      ...this.context,
      streamSequence: m.info.streamSequence,
      batch: this.next,
      hint: LOST_HINT,
    });
  }
}
