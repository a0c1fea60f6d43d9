import type { Consumer } from '@nats-io/jetstream';

/**
 * Whether a run's work-queue consumer may hand out an item: one not yet delivered, or one out
 * for (re)delivery. A kept or abandoned run has neither, so a worker asks its consumer one
 * cheap question instead of holding a pull open on it for a second on every round, which made
 * every later run wait behind all the old ones.
 */
export async function consumerHasWork(consumer: Consumer): Promise<boolean> {
  const info = await consumer.info(true);
  return info.num_pending > 0 || info.num_ack_pending > 0;
}
