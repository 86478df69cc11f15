// How long Candor keeps what it needs only for a while: change events (which only open pages and
// caches read, minutes after they are written) and delivery details (a provider's message id and
// its last error, useful while a sending problem is being looked into). The rows of deliveries
// stay, so counts of who was told remain; the audit log is never pruned.
import { and, inArray, lt, sql } from 'drizzle-orm';
import { deliveries, deliveryBatches } from '#db/schema/index.ts';
import type { Db } from '#db/client.ts';

export interface Retention {
  changeEventsMs: number;
  deliveryDetailsMs: number;
}

const HOUR = 3_600_000;

/** From CANDOR_KEEP_CHANGE_EVENTS_HOURS (default 24) and CANDOR_KEEP_DELIVERY_DETAILS_DAYS (default 90). */
export function retentionFrom(env: NodeJS.ProcessEnv = process.env): Retention {
  const read = (name: string, fallback: number, unit: string) => {
    const raw = env[name];
    if (raw === undefined || raw === '') return fallback;
    const n = Number(raw);
    if (!(n > 0)) throw new Error(`${name} must be a number of ${unit} above 0; it is "${raw}".`);
    return n;
  };
  return {
    changeEventsMs: read('CANDOR_KEEP_CHANGE_EVENTS_HOURS', 24, 'hours') * HOUR,
    deliveryDetailsMs: read('CANDOR_KEEP_DELIVERY_DETAILS_DAYS', 90, 'days') * 24 * HOUR,
  };
}

/**
 * Clears provider ids and errors from deliveries finished before the retention window, and drops
 * finished provider batches of that age (they only tie a retry to its idempotency key).
 */
export async function pruneDeliveryDetails(db: Db, retention: Retention, now = Date.now()): Promise<number> {
  const before = now - retention.deliveryDetailsMs;
  const cleared = await db
    .update(deliveries)
    .set({ providerId: null, lastError: null })
    .where(
      and(
        inArray(deliveries.state, ['sent', 'failed', 'skipped']),
        lt(deliveries.updatedAt, before),
        sql`(${deliveries.providerId} is not null or ${deliveries.lastError} is not null)`,
      ),
    )
    .returning({ id: deliveries.id });
  await db
    .delete(deliveryBatches)
    .where(and(sql`${deliveryBatches.state} = 'done'`, lt(deliveryBatches.createdAt, before)));
  return cleared.length;
}
