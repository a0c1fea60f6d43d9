import type { KV } from '@nats-io/kv';

/** The key of the run's plan in its KV bucket (written once, by the first coordinator). */
export const PLAN_KEY = 'plan';

/** Room left in a KV message for its subject and headers. */
const HEADER_ROOM = 4096;

/**
 * What the plan key holds: the plan's digest and size, and how many pieces of it are stored
 * under {@link planPieceKey}. Written after every piece, so its presence means the plan is whole.
 */
interface PlanDescriptor {
  readonly sha256: string;
  readonly bytes: number;
  readonly pieces: number;
  readonly items: number;
}

/** How {@link storeRunPlan} found the run: its plan just stored, the same plan, or another one. */
export type PlanOutcome = 'stored' | 'same' | 'other';

/**
 * The key of piece `piece` of the plan whose SHA-256 starts with `digest`: pieces of two plans
 * (two coordinators racing with other files) never mix.
 */
export function planPieceKey(digest: string, piece: number): string {
  return `plan.${digest.slice(0, 16)}.${piece}`;
}

/**
 * Records a run's plan (its identity: a restarted coordinator must plan the same items) in the
 * run's KV bucket, first writer wins, however large it is: a plan of many thousands of items
 * exceeds the server's largest message (`maxPayload`), so it is stored in pieces and then the
 * plan key, naming their digest, last. A stored plan is compared by its SHA-256 (a plan stored
 * whole by an older coordinator, by its bytes).
 *
 * @param items how many items the plan has (listed by `lossflow runs`)
 * @returns whether this call stored it, found the same plan, or found another one
 */
export async function storeRunPlan(
  kv: KV,
  plan: Uint8Array,
  items: number,
  maxPayload: number,
): Promise<PlanOutcome> {
  const digest = await sha256Hex(plan);
  const existing = await kv.get(PLAN_KEY);
  if (existing !== null && existing.value.length > 0) return samePlan(existing.value, plan, digest);
  const limit = Math.max(1, maxPayload - HEADER_ROOM);
  const pieces = Math.max(1, Math.ceil(plan.byteLength / limit));
  for (let p = 0; p < pieces; p++) {
    const key = planPieceKey(digest, p);
    const piece = plan.subarray(p * limit, Math.min(plan.byteLength, (p + 1) * limit));
    // A piece of the same digest is the same bytes: another coordinator's is as good.
    await kv.create(key, piece).catch(async (e: unknown) => {
      if ((await kv.get(key).catch(() => null)) === null) throw e;
    });
  }
  const descriptor: PlanDescriptor = { sha256: digest, bytes: plan.byteLength, pieces, items };
  try {
    await kv.create(PLAN_KEY, new TextEncoder().encode(JSON.stringify(descriptor)));
    return 'stored';
  } catch (e) {
    const raced = await kv.get(PLAN_KEY);
    if (raced === null) throw e;
    return samePlan(raced.value, plan, digest);
  }
}

/**
 * The plan of a run as {@link storeRunPlan} stored it (joined from its pieces) and its number of
 * items; null when the run has no plan yet (or it is not whole).
 */
export async function readRunPlan(kv: KV): Promise<{ plan: Uint8Array; items: number } | null> {
  const entry = await kv.get(PLAN_KEY);
  if (entry === null || entry.value.length === 0) return null;
  const descriptor = descriptorOf(entry.value);
  if (descriptor === undefined) {
    // Stored whole by an older coordinator: `{ items: [...], spec }`.
    const whole = JSON.parse(new TextDecoder().decode(entry.value)) as { items?: unknown[] };
    return { plan: entry.value, items: whole.items?.length ?? 0 };
  }
  const plan = new Uint8Array(descriptor.bytes);
  let at = 0;
  for (let p = 0; p < descriptor.pieces; p++) {
    const piece = await kv.get(planPieceKey(descriptor.sha256, p));
    if (piece === null) return null;
    plan.set(piece.value, at);
    at += piece.value.byteLength;
  }
  return at === descriptor.bytes ? { plan, items: descriptor.items } : null;
}

/** How many items the run's stored plan has, read from the plan key alone; null without a plan. */
export async function runPlanItems(kv: KV): Promise<number | null> {
  const entry = await kv.get(PLAN_KEY);
  if (entry === null || entry.value.length === 0) return null;
  const descriptor = descriptorOf(entry.value);
  if (descriptor !== undefined) return descriptor.items;
  return (await readRunPlan(kv))?.items ?? null;
}

function samePlan(stored: Uint8Array, plan: Uint8Array, digest: string): PlanOutcome {
  const descriptor = descriptorOf(stored);
  if (descriptor !== undefined) return descriptor.sha256 === digest ? 'same' : 'other';
  return equalBytes(stored, plan) ? 'same' : 'other';
}

function descriptorOf(value: Uint8Array): PlanDescriptor | undefined {
  try {
    const parsed = JSON.parse(new TextDecoder().decode(value)) as Partial<PlanDescriptor>;
    return typeof parsed.sha256 === 'string' && typeof parsed.pieces === 'number'
      ? (parsed as PlanDescriptor)
      : undefined;
  } catch {
    return undefined;
  }
}

function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.byteLength !== b.byteLength) return false;
  for (let i = 0; i < a.byteLength; i++) if (a[i] !== b[i]) return false;
  return true;
}

async function sha256Hex(bytes: Uint8Array): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', bytes));
  let hex = '';
  for (const b of digest) hex += b.toString(16).padStart(2, '0');
  return hex;
}
