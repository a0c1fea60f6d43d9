import type { NatsConnection } from '@nats-io/nats-core';
import { State } from '@nats-io/nats-core/internal';

/** The parts of nats.js's (internal) protocol parser this file relies on. */
interface ParserShape {
  state: number;
  ma?: { size: number; hdr: number };
  msgBuf?: { _buf: Uint8Array; _off: number; bytes(options: { copy: boolean }): Uint8Array };
  parse(buf: Uint8Array): void;
}

const PRESIZED = Symbol('lossflow.presized');

/**
 * Makes `nc` collect each message that spans several socket reads into one buffer of its final
 * size, with the body 8-byte aligned, instead of nats.js's doubling buffer. Why: nats.js starts a
 * large message in a buffer of the first read's size and doubles it as reads arrive, so a 1 MB
 * message is copied about three times into 3.5 MB of short-lived buffers (a quarter of a live
 * read's CPU went to those copies and the garbage collector), and its body lands at an offset
 * Arrow must copy once more to align. Presized, each payload byte is copied once and Arrow reads
 * the body in place. Only the buffer changes: the bytes handed on are the same.
 *
 * Applies per connection, and again to the parser a reconnect makes. Relies on nats.js internals
 * (`protocol.parser`, its `msgBuf` DenoBuffer): when they are not as expected it leaves the
 * connection alone, which is only slower.
 */
export function presizeMessageBuffers(nc: NatsConnection): void {
  const protocol = (nc as unknown as { protocol?: Record<PropertyKey, unknown> }).protocol;
  if (protocol === undefined || protocol[PRESIZED] === true || !isParser(protocol.parser)) return;
  let current = presized(protocol.parser);
  try {
    Object.defineProperty(protocol, 'parser', {
      configurable: true,
      enumerable: true,
      get: () => current,
      set: (parser: unknown) => {
        current = isParser(parser) ? presized(parser) : (parser as ParserShape);
      },
    });
    protocol[PRESIZED] = true;
  } catch {
    // A frozen or otherwise unusual client: leave it as it is.
  }
}

/**
 * A buffer whose bytes are about to be overwritten: in Node not zeroed first (`allocUnsafeSlow`, its
 * own ArrayBuffer), which also lets the allocator hand back memory already mapped rather than fresh
 * zero pages faulted in on the first write; elsewhere a plain `Uint8Array`.
 */
const allocate: (size: number) => Uint8Array = (() => {
  const buffer = (globalThis as { Buffer?: { allocUnsafeSlow?: (size: number) => Uint8Array } }).Buffer;
  const unsafe = buffer?.allocUnsafeSlow;
  return typeof unsafe === 'function'
    ? (size: number) => unsafe(size)
    : (size: number) => new Uint8Array(size);
})();

function isParser(p: unknown): p is ParserShape {
  return typeof p === 'object' && p !== null && typeof (p as ParserShape).parse === 'function';
}

function presized(parser: ParserShape): ParserShape {
  const parse = parser.parse.bind(parser);
  parser.parse = (buf: Uint8Array): void => {
    parse(buf);
    // A message continues past this read: the parser has just put its start in a buffer of that
    // start's size, which it would double read by read.
    const mb = parser.msgBuf;
    const ma = parser.ma;
    if (parser.state !== State.MSG_PAYLOAD || mb === undefined || ma === undefined) return;
    if (mb._buf.buffer.byteLength >= ma.size) return;
    const have = mb.bytes({ copy: false });
    // The body (after `hdr` bytes of headers) starts 8-byte aligned, as Arrow needs to read in place.
    const pad = (8 - (Math.max(ma.hdr, 0) % 8)) % 8;
    const full = allocate(pad + ma.size);
    // Unzeroed memory: the pad is the only part not overwritten by the message.
    full.fill(0, 0, pad);
    full.set(have, pad);
    // DenoBuffer's layout: `_buf` starts at offset 0 of its ArrayBuffer and grows by reslicing
    // while it fits; the content starts at `_off`.
    mb._buf = full.subarray(0, pad + have.byteLength);
    mb._off = pad;
  };
  return parser;
}
