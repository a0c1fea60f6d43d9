import type { KV } from '@nats-io/kv';

/**
 * How a delivery of an item ended, as its worker records it in the run's KV bucket: the server's
 * delivery count also counts deliveries that a worker gave back unharmed (a worker stopping, an
 * item pulled ahead and returned, a server that went away), and those must not make a sound item
 * look damaged. `computing` is written before the item is computed and left so when its worker
 * dies on it.
 */
export type DeliveryOutcome = 'computing' | 'released' | { readonly failed: string };

/** The key of delivery `delivery` (1-based) of item `index`, under the run's `nonce`. */
export function deliveryKey(nonce: string, index: number, delivery: number): string {
  return `try.${nonce}.${index}.${delivery}`;
}

/** Records how delivery `delivery` of item `index` ended (or that it is being computed). */
export async function recordDelivery(
  kv: KV,
  nonce: string,
  index: number,
  delivery: number,
  outcome: DeliveryOutcome,
): Promise<void> {
  const text = typeof outcome === 'string' ? outcome : `failed: ${outcome.failed}`;
  await kv.put(deliveryKey(nonce, index, delivery), new TextEncoder().encode(text));
}

/**
 * The deliveries of item `index` before `delivery` that failed on the item: a worker's error, or
 * a worker that died computing it. Releases, and deliveries never computed (an item pulled ahead
 * by a worker that died, a record lost with the server), are not counted.
 *
 * @returns one line per failed delivery, saying which and why
 */
export async function failedDeliveries(
  kv: KV,
  nonce: string,
  index: number,
  delivery: number,
): Promise<string[]> {
  const keys = Array.from({ length: Math.max(0, delivery - 1) }, (_, i) => deliveryKey(nonce, index, i + 1));
  const entries = await Promise.all(keys.map((key) => kv.get(key)));
  const failures: string[] = [];
  for (const [i, entry] of entries.entries()) {
    const text = entry === null ? '' : new TextDecoder().decode(entry.value);
    if (text === 'computing') failures.push(`delivery ${i + 1}: its worker died while computing it`);
    else if (text.startsWith('failed: ')) failures.push(`delivery ${i + 1}: ${text.slice(8)}`);
  }
  return failures;
}
