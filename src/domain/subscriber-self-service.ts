// Email subscriptions as the public makes them: double opt-in, confirming, choosing components
// and one-click unsubscribe. Answers never reveal whether an address was already subscribed.
import { eq } from 'drizzle-orm';
import { subscribers } from '../db/schema/index.ts';
import type { Db, DbOrTx } from '../db/client.ts';
import { subscriberVisibility } from './audiences/choosable.ts';
import { hashToken } from './auth/tokens.ts';
import { startOptIn, type SubscribeContext } from './subscriber-optin.ts';
import { ConflictError, InputError, NotFoundError, parseInput } from './errors.ts';
import type { Locale } from './locales.ts';
import { hitRateLimit } from './rate-limit.ts';
import type { Subscriber, SubscriptionView } from './subscriber-rules.ts';
import {
  SUBSCRIBE_LIMITS,
  subscribeSchema,
  componentsSchema,
  checkComponents,
  setComponents,
  subscriptionOf,
  unsubscribe,
} from './subscriber-rules.ts';

/**
 * Starts (or restarts) an email subscription. A new or lapsed address gets a confirmation link;
 * a confirmed one gets a note with its manage link instead, and its choices stay as they were
 * until the owner changes them. Either way the caller sees the same answer.
 */
export async function requestEmailSubscription(db: Db, input: unknown, context: SubscribeContext): Promise<void> {
  const now = context.now ?? Date.now();
  const data = parseInput(subscribeSchema, input);
  await hitRateLimit(
    db,
    `subscribe:ip:${context.ip}`,
    SUBSCRIBE_LIMITS.perIp,
    'Too many subscription requests from your network. Try again in an hour.',
    now,
  );
  await hitRateLimit(
    db,
    `subscribe:address:${data.email}`,
    SUBSCRIBE_LIMITS.perAddress,
    'Too many subscription requests for this address. Check your inbox (and spam folder) for the link we sent, or try again in an hour.',
    now,
  );
  await startOptIn(db, { kind: 'email', address: data.email, components: data.components }, context);
}

/** Follows a confirmation link. Returns the subscriber, now active. */
export async function confirmSubscription(db: Db, token: string, now = Date.now()): Promise<Subscriber> {
  const [row] = await db
    .select()
    .from(subscribers)
    .where(eq(subscribers.confirmTokenHash, hashToken(token)));
  if (!row) {
    throw new NotFoundError(
      'subscription',
      null,
      'This confirmation link is not valid. It may have been used already (the emails we send have a link to manage your subscription) or copied incompletely.',
    );
  }
  if ((row.confirmExpiresAt ?? 0) < now) {
    throw new InputError('This confirmation link has expired. Subscribe again and we will send you a new one.');
  }
  const [updated] = await db
    .update(subscribers)
    .set({ state: 'active', confirmedAt: now, confirmTokenHash: null, confirmExpiresAt: null })
    .where(eq(subscribers.id, row.id))
    .returning();
  return updated;
}

async function byManageToken(db: DbOrTx, token: string): Promise<Subscriber> {
  const [row] = await db.select().from(subscribers).where(eq(subscribers.manageToken, token));
  if (!row)
    throw new NotFoundError(
      'subscription',
      null,
      'This subscription link is not valid. Use the link from the most recent email we sent you.',
    );
  return row;
}

export async function getSubscription(db: DbOrTx, manageToken: string): Promise<SubscriptionView> {
  return subscriptionOf(db, await byManageToken(db, manageToken));
}

/**
 * The owner changes which components they hear about; saved from a page in another language, the
 * emails follow it.
 */
export async function updateSubscription(
  db: Db,
  manageToken: string,
  input: unknown,
  locale?: Locale,
): Promise<SubscriptionView> {
  const data = parseInput(componentsSchema, input);
  const current = await byManageToken(db, manageToken);
  const ids = await checkComponents(db, data.components, await subscriberVisibility(db, current.id));
  return db.transaction(async (tx) => {
    const row = await byManageToken(tx, manageToken);
    if (row.state === 'unsubscribed')
      throw new ConflictError('You have unsubscribed. Subscribe again from the status page to get updates.');
    const [updated] = await tx
      .update(subscribers)
      .set({ allComponents: data.components === 'all', ...(locale ? { locale } : {}) })
      .where(eq(subscribers.id, row.id))
      .returning();
    await setComponents(tx, row.id, ids);
    return subscriptionOf(tx, updated);
  });
}

/** One-click unsubscribe (RFC 8058) and the manage page's button. Repeating it is harmless. */
export async function unsubscribeByToken(db: Db, manageToken: string, now = Date.now()): Promise<Subscriber> {
  return unsubscribe(db, await byManageToken(db, manageToken), now);
}
