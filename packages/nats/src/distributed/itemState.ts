import type { KV } from '@nats-io/kv';
import { stateKey } from './WorkItem.js';

/** Room left in a KV message for its subject and headers. */
const HEADER_ROOM = 4096;

/** The key of piece `piece` of item `index`'s states when they are stored in pieces (under the run's `nonce`). */
export function pieceKey(index: number, piece: number, nonce: string): string {
  return `piece.${nonce}.${index}.${piece}`;
}

/** What `state.N` holds when the states are in pieces (JSON; states themselves start with `[`). */
interface PiecesDescriptor {
  readonly pieces: number;
  readonly bytes: number;
}

/**
 * Stores an item's encoded states in the run's KV bucket under the run's nonce, first writer wins: in one `state.N` entry
 * when it fits in a message of the server (`maxPayload`), else in pieces `piece.N.0…k-1` (each
 * created first-writer-wins too: every worker encodes an item to the same bytes, so pieces of two
 * writers make the same whole) and then `state.N` saying how many. `state.N` is written last, so
 * its presence means the item is complete.
 *
 * @returns whether another writer had stored the item first
 */
export async function storeItemState(
  kv: KV,
  nonce: string,
  index: number,
  bytes: Uint8Array,
  maxPayload: number,
): Promise<boolean> {
  const limit = Math.max(1, maxPayload - HEADER_ROOM);
  let value = bytes;
  if (bytes.byteLength > limit) {
    const pieces = Math.ceil(bytes.byteLength / limit);
    for (let p = 0; p < pieces; p++) {
      await createOnce(
        kv,
        pieceKey(index, p, nonce),
        bytes.subarray(p * limit, Math.min(bytes.byteLength, (p + 1) * limit)),
      );
    }
    const descriptor: PiecesDescriptor = { pieces, bytes: bytes.byteLength };
    value = new TextEncoder().encode(JSON.stringify(descriptor));
  }
  return !(await createOnce(kv, stateKey(index, nonce), value));
}

/**
 * An item's encoded states as {@link storeItemState} stored them, joined from their pieces; null
 * while the item is not complete.
 */
export async function loadItemState(kv: KV, nonce: string, index: number): Promise<Uint8Array | null> {
  const entry = await kv.get(stateKey(index, nonce));
  if (entry === null || entry.value.length === 0) return null;
  // Encoded states are a JSON array; a descriptor of pieces is an object.
  if (entry.value[0] !== 0x7b) return entry.value;
  const { pieces, bytes } = JSON.parse(new TextDecoder().decode(entry.value)) as PiecesDescriptor;
  const whole = new Uint8Array(bytes);
  let at = 0;
  for (let p = 0; p < pieces; p++) {
    const piece = await kv.get(pieceKey(index, p, nonce));
    if (piece === null)
      throw new Error(`piece ${p} of item ${index}'s states is missing from the run's bucket`);
    whole.set(piece.value, at);
    at += piece.value.byteLength;
  }
  if (at !== bytes) throw new Error(`item ${index}'s states are ${at} bytes in pieces, not ${bytes}`);
  return whole;
}

/** Creates `key` unless it exists. @returns whether this call created it */
async function createOnce(kv: KV, key: string, value: Uint8Array): Promise<boolean> {
  try {
    await kv.create(key, value);
    return true;
  } catch (e) {
    if ((await kv.get(key).catch(() => null)) === null) throw e;
    return false;
  }
}
