// What a subscription is and accepts, shared by the public's own flow and the admin's: the row
// type, limits, input schemas, component choices, the subscription view, and unsubscribing.
import { asc, eq, inArray } from 'drizzle-orm';
import { z } from 'zod';
import { components, subscriberComponents, subscribers } from '../db/schema/index.ts';
import type { Db, DbOrTx } from '../db/client.ts';
import { componentVisible, type Visibility } from './audiences/visibility.ts';
import { fieldError } from './errors.ts';
import { idSchema } from './input.ts';
import { skipQueuedFor } from './notify/outbox.ts';
import { type Limit } from './rate-limit.ts';
import { httpUrlSchema } from './urls.ts';
export type Subscriber = typeof subscribers.$inferSelect;

const HOUR = 60 * 60 * 1000;
export const CONFIRM_LINK_TTL_MS = 48 * HOUR;
/** Per IP: a few typos and retries; per address: enough to recover a lost email, too few to flood an inbox. */
export const SUBSCRIBE_LIMITS: { perIp: Limit; perAddress: Limit } = {
  perIp: { max: 10, windowMs: HOUR },
  perAddress: { max: 3, windowMs: HOUR },
};

export const emailSchema = z
  .string({ error: 'is required' })
  .trim()
  .toLowerCase()
  .min(1, 'is required')
  .max(254, 'must be at most 254 characters')
  .pipe(z.email({ error: 'must be an email address like name@example.com' }));

/** 'all', or a non-empty list of component ids. */
export const componentChoiceSchema = z.union(
  [
    z.literal('all'),
    z.array(idSchema('must be component ids')).min(1, 'choose at least one component, or all of them'),
  ],
  { error: 'must be "all" or a list of component ids' },
);

export const subscribeSchema = z.object({ email: emailSchema, components: componentChoiceSchema.default('all') });
export const componentsSchema = z.object({ components: componentChoiceSchema });

export const webhookSchema = z.object({
  url: httpUrlSchema,
  components: componentChoiceSchema.default('all'),
  verify: z.boolean().default(true),
});

/**
 * The chosen component ids, each one a component `visibility` shows (a hidden one is refused as
 * missing, so the answer does not tell it exists).
 */
export async function checkComponents(db: DbOrTx, choice: 'all' | number[], visibility: Visibility): Promise<number[]> {
  if (choice === 'all') return [];
  const ids = [...new Set(choice)];
  const found = await db.select({ id: components.id }).from(components).where(inArray(components.id, ids));
  const missing = ids.filter((id) => !found.some((f) => f.id === id) || !componentVisible(visibility, id));
  if (missing.length)
    throw fieldError(
      'components',
      `must name existing components: there is no component with id ${missing.join(', ')}`,
    );
  return ids;
}

export async function setComponents(tx: DbOrTx, subscriberId: number, ids: number[]): Promise<void> {
  await tx.delete(subscriberComponents).where(eq(subscriberComponents.subscriberId, subscriberId));
  if (ids.length)
    await tx.insert(subscriberComponents).values(ids.map((componentId) => ({ subscriberId, componentId })));
}

export interface SubscriptionView {
  subscriber: Subscriber;
  /** Empty when the subscriber follows every component. */
  componentIds: number[];
}

export async function subscriptionOf(db: DbOrTx, subscriber: Subscriber): Promise<SubscriptionView> {
  const rows = await db
    .select({ id: subscriberComponents.componentId })
    .from(subscriberComponents)
    .where(eq(subscriberComponents.subscriberId, subscriber.id))
    .orderBy(asc(subscriberComponents.componentId));
  return { subscriber, componentIds: rows.map((r) => r.id) };
}

export async function unsubscribe(db: Db, row: Subscriber, now: number): Promise<Subscriber> {
  if (row.state === 'unsubscribed') return row;
  return db.transaction(async (tx) => {
    const [updated] = await tx
      .update(subscribers)
      .set({ state: 'unsubscribed', unsubscribedAt: now, confirmTokenHash: null, confirmExpiresAt: null })
      .where(eq(subscribers.id, row.id))
      .returning();
    await skipQueuedFor(tx, row.id, now);
    return updated;
  });
}
