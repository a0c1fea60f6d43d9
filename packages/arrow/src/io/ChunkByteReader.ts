import { ArrowReadError } from '../errors/ArrowReadError.js';
import type { ByteReader } from './ByteReader.js';
import { ioError } from './ioError.js';

/** No Arrow message or buffer can be larger than this; a larger length is corrupt, not a reason to buffer. */
const MAX_READ = 2 ** 31 - 1;

/**
 * A {@link ByteReader} over a stream of byte chunks of any size (a Node stream, a web stream, an
 * HTTP body). Holds only the chunks not yet consumed; a read that fits in one chunk is a view of it,
 * a read that spans chunks is copied once. An abort interrupts a pending pull and cancels the stream.
 *
 * @example
 * const r = new ChunkByteReader(fs.createReadStream('log.arrows')[Symbol.asyncIterator](), '<stream>');
 */
export class ChunkByteReader implements ByteReader {
  readonly name: string;
  readonly path = undefined;
  readonly totalBytes = undefined;
  bytesRead = 0;
  readonly reuses = false;
  position = 0;
  ended = false;
  protected chunks: Uint8Array[] = [];
  protected queued = 0;
  private iterator: AsyncIterator<unknown> | undefined;
  private readonly signal: AbortSignal | undefined;

  constructor(iterator: AsyncIterator<unknown>, name: string, signal?: AbortSignal) {
    this.iterator = iterator;
    this.name = name;
    this.signal = signal;
  }

  async peek(n: number): Promise<Uint8Array> {
    await this.fill(n);
    return this.take(Math.min(n, this.queued), false);
  }

  async read(n: number): Promise<Uint8Array> {
    await this.fill(n);
    const take = Math.min(n, this.queued);
    if (take < n) this.ended = true;
    this.position += take;
    return this.take(take, true);
  }

  async close(): Promise<void> {
    const it = this.iterator;
    this.iterator = undefined;
    this.chunks = [];
    this.queued = 0;
    // Not awaited past a short grace: a stream that never settles its cancellation must not hang close().
    if (it?.return !== undefined) await settleWithin(it.return(), 1000);
  }

  private async fill(n: number): Promise<void> {
    if (n > MAX_READ) {
      throw new ArrowReadError('CORRUPT', `a length of ${n} bytes is beyond what any Arrow buffer can hold`, {
        file: this.name,
      });
    }
    while (this.queued < n && !this.ended) {
      const chunk = await this.pull();
      if (chunk === undefined) {
        this.ended = true;
        break;
      }
      if (chunk.length === 0) continue;
      this.chunks.push(chunk);
      this.queued += chunk.length;
      this.bytesRead += chunk.length;
    }
  }

  private take(n: number, consume: boolean): Uint8Array {
    if (n === 0) return new Uint8Array(0);
    const first = this.chunks[0]!;
    if (first.length >= n) {
      const out = first.subarray(0, n);
      if (consume) {
        if (first.length === n) this.chunks.shift();
        else this.chunks[0] = first.subarray(n);
        this.queued -= n;
      }
      return out;
    }
    const out = new Uint8Array(n);
    let at = 0;
    let i = 0;
    while (at < n) {
      const c = this.chunks[i]!;
      const part = Math.min(c.length, n - at);
      out.set(part === c.length ? c : c.subarray(0, part), at);
      at += part;
      if (consume) {
        if (part === c.length) i++;
        else this.chunks[i] = c.subarray(part);
      } else i++;
    }
    if (consume) {
      this.chunks.splice(0, i);
      this.queued -= n;
    }
    return out;
  }

  /** The next chunk (a followed file's may be empty: nothing more there now), or `undefined` at the end; raced against the abort signal. */
  protected async pull(): Promise<Uint8Array | undefined> {
    const it = this.iterator;
    if (it === undefined)
      throw new ArrowReadError('CLOSED', 'the stream was closed while reading', { file: this.name });
    const signal = this.signal;
    if (signal?.aborted) throw this.aborted();
    let result: IteratorResult<unknown>;
    try {
      if (signal === undefined) result = await it.next();
      else {
        let onAbort: (() => void) | undefined;
        const abort = new Promise<never>((_, reject) => {
          onAbort = () => reject(this.aborted());
          signal.addEventListener('abort', onAbort, { once: true });
        });
        const next = it.next();
        // If the abort wins, the pending pull may still reject later (the stream is destroyed): not unhandled.
        next.catch(() => undefined);
        try {
          result = await Promise.race([next, abort]);
        } finally {
          signal.removeEventListener('abort', onAbort!);
        }
      }
    } catch (e) {
      if (e instanceof ArrowReadError) {
        if (e.code === 'ABORTED') await this.close();
        throw e;
      }
      throw ioError(e, this.name);
    }
    if (result.done === true) return undefined;
    return toBytes(result.value, this.name);
  }

  private aborted(): ArrowReadError {
    return new ArrowReadError('ABORTED', 'reading was aborted', { file: this.name });
  }
}

function toBytes(value: unknown, name: string): Uint8Array {
  if (value instanceof Uint8Array) return value;
  if (value instanceof ArrayBuffer) return new Uint8Array(value);
  if (ArrayBuffer.isView(value)) return new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
  throw new ArrowReadError(
    'IO',
    `the stream yielded ${typeof value === 'string' ? 'text' : typeof value}, not bytes`,
    {
      file: name,
      hint: 'Read the stream in binary mode (no setEncoding, no text decoding).',
    },
  );
}

async function settleWithin(p: Promise<unknown>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    p.then(
      () => undefined,
      () => undefined,
    ),
    new Promise<void>((resolve) => {
      timer = setTimeout(resolve, ms);
      timer.unref();
    }),
  ]);
  clearTimeout(timer);
}
