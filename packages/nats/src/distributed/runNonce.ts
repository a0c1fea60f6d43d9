import type { KV } from '@nats-io/kv';

/** The key of the run's nonce in its KV bucket (created once, by the first coordinator). */
export const NONCE_KEY = 'nonce';

/**
 * A new run nonce: 16 random hex digits. A run id names a run on the server, and a removed run's
 * id may be used again; the nonce tells two runs of one id apart, so a worker that stalled on an
 * item of a removed run never stores its states where the new run of that id reads them.
 */
export function newRunNonce(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(8));
  let hex = '';
  for (const b of bytes) hex += b.toString(16).padStart(2, '0');
  return hex;
}

/**
 * The run's nonce: made and stored now when the run's bucket has none (a new run), else the
 * stored one (a resumed run, or a coordinator that lost the race to create it).
 *
 * @example
 * const nonce = await claimRunNonce(kv); // items carry it; states are stored under it
 */
export async function claimRunNonce(kv: KV): Promise<string> {
  const existing = await readRunNonce(kv);
  if (existing !== null) return existing;
  const nonce = newRunNonce();
  try {
    await kv.create(NONCE_KEY, new TextEncoder().encode(nonce));
    return nonce;
  } catch (e) {
    const raced = await readRunNonce(kv);
    if (raced === null) throw e;
    return raced;
  }
}

/** The nonce stored in a run's bucket, or null when it has none. */
export async function readRunNonce(kv: KV): Promise<string | null> {
  const entry = await kv.get(NONCE_KEY);
  if (entry === null || entry.value.length === 0) return null;
  return new TextDecoder().decode(entry.value);
}
