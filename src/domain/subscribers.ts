// Subscriptions: email with double opt-in, and webhooks added by an admin and verified by a
// challenge. Answers to the public never reveal whether an address was already subscribed.
import { randomBytes } from 'node:crypto';
import { and, asc, count, desc, eq, getTableColumns, inArray, ne, sql, type SQL } from 'drizzle-orm';
import { z } from 'zod';
import { components, subscriberComponents, subscribers } from '../db/schema/index.ts';
import type { Db, DbOrTx } from '../db/client.ts';
import { generateToken, hashToken } from './auth/tokens.ts';
import { recordAudit } from './audit.ts';
import { ConflictError, InputError, NotFoundError, oneOf, parseInput } from './errors.ts';
import { idSchema } from './input.ts';
import { CHANNELS, SUBSCRIBER_STATES, type SubscriberState } from './notify/kinds.ts';
import { enqueuePersonal, skipQueuedFor } from './notify/outbox.ts';
import { hitRateLimit, type Limit } from './rate-limit.ts';
import { httpUrlSchema } from './urls.ts';

export type Subscriber = typeof subscribers.$inferSelect;

const HOUR = 60 * 60 * 1000;
export const CONFIRM_LINK_TTL_MS = 48 * HOUR;
/** Per IP: a few typos and retries; per address: enough to recover a lost email, too few to flood an inbox. */
export const SUBSCRIBE_LIMITS: { perIp: Limit; perAddress: Limit } = {
  perIp: { max: 10, windowMs: HOUR },
  perAddress: { max: 3, windowMs: HOUR },
};

const emailSchema = z
  .string({ error: 'is required' })
  .trim()
  .toLowerCase()
  .min(1, 'is required')
  .max(254, 'must be at most 254 characters')
  .pipe(z.email({ error: 'must be an email address like name@example.com' }));

/** 'all', or a non-empty list of component ids. */
const componentChoiceSchema = z.union(
  [
    z.literal('all'),
    z.array(idSchema('must be component ids')).min(1, 'choose at least one component, or all of them'),
  ],
  { error: 'must be "all" or a list of component ids' },
);

const subscribeSchema = z.object({ email: emailSchema, components: componentChoiceSchema.default('all') });
const componentsSchema = z.object({ components: componentChoiceSchema });

const webhookSchema = z.object({
  url: httpUrlSchema,
  components: componentChoiceSchema.default('all'),
  verify: z.boolean().default(true),
});

async function checkComponents(db: DbOrTx, choice: 'all' | number[]): Promise<number[]> {
  if (choice === 'all') return [];
  const ids = [...new Set(choice)];
  const found = await db.select({ id: components.id }).from(components).where(inArray(components.id, ids));
  const missing = ids.filter((id) => !found.some((f) => f.id === id));
  if (missing.length) throw new InputError(`components: no component with id ${missing.join(', ')}`);
  return ids;
}

async function setComponents(tx: DbOrTx, subscriberId: number, ids: number[]): Promise<void> {
  await tx.delete(subscriberComponents).where(eq(subscriberComponents.subscriberId, subscriberId));
  if (ids.length)
    await tx.insert(subscriberComponents).values(ids.map((componentId) => ({ subscriberId, componentId })));
}

export interface SubscribeContext {
  ip: string;
  now?: number;
}

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
  const ids = await checkComponents(db, data.components);
  const token = generateToken();
  const confirm = { confirmTokenHash: hashToken(token), confirmExpiresAt: now + CONFIRM_LINK_TTL_MS };
  await db.transaction(async (tx) => {
    const [existing] = await tx
      .select()
      .from(subscribers)
      .where(and(eq(subscribers.kind, 'email'), eq(subscribers.address, data.email)));
    if (existing?.state === 'active') {
      await enqueuePersonal(tx, 'subscription.already', existing, {}, now);
      return;
    }
    const choice = { allComponents: data.components === 'all', ...confirm };
    const [row] = existing
      ? await tx
          .update(subscribers)
          .set({ ...choice, state: 'pending', unsubscribedAt: null })
          .where(eq(subscribers.id, existing.id))
          .returning()
      : await tx
          .insert(subscribers)
          .values({
            kind: 'email',
            address: data.email,
            state: 'pending',
            manageToken: generateToken(),
            source: 'public',
            createdAt: now,
            ...choice,
          })
          .returning();
    await setComponents(tx, row.id, ids);
    await enqueuePersonal(tx, 'subscription.confirm', row, { token, expiresAt: confirm.confirmExpiresAt }, now);
  });
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

export interface SubscriptionView {
  subscriber: Subscriber;
  /** Empty when the subscriber follows every component. */
  componentIds: number[];
}

async function subscriptionOf(db: DbOrTx, subscriber: Subscriber): Promise<SubscriptionView> {
  const rows = await db
    .select({ id: subscriberComponents.componentId })
    .from(subscriberComponents)
    .where(eq(subscriberComponents.subscriberId, subscriber.id))
    .orderBy(asc(subscriberComponents.componentId));
  return { subscriber, componentIds: rows.map((r) => r.id) };
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

/** The owner changes which components they hear about. */
export async function updateSubscription(db: Db, manageToken: string, input: unknown): Promise<SubscriptionView> {
  const data = parseInput(componentsSchema, input);
  const ids = await checkComponents(db, data.components);
  return db.transaction(async (tx) => {
    const row = await byManageToken(tx, manageToken);
    if (row.state === 'unsubscribed')
      throw new ConflictError('You have unsubscribed. Subscribe again from the status page to get updates.');
    const [updated] = await tx
      .update(subscribers)
      .set({ allComponents: data.components === 'all' })
      .where(eq(subscribers.id, row.id))
      .returning();
    await setComponents(tx, row.id, ids);
    return subscriptionOf(tx, updated);
  });
}

async function unsubscribe(db: Db, row: Subscriber, now: number): Promise<Subscriber> {
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

/** One-click unsubscribe (RFC 8058) and the manage page's button. Repeating it is harmless. */
export async function unsubscribeByToken(db: Db, manageToken: string, now = Date.now()): Promise<Subscriber> {
  return unsubscribe(db, await byManageToken(db, manageToken), now);
}

// ---- Admin ----

export interface SubscriberListItem extends Subscriber {
  componentCount: number;
  sent: number;
  failed: number;
  queued: number;
}

export const subscriberFilterSchema = z.object({
  q: z.string().trim().max(200).default(''),
  state: oneOf(SUBSCRIBER_STATES).optional().catch(undefined),
  kind: oneOf(CHANNELS).optional().catch(undefined),
  page: z.coerce.number().int().min(1).catch(1).default(1),
  perPage: z.coerce.number().int().min(1).max(100).catch(50).default(50),
});
export type SubscriberFilter = z.output<typeof subscriberFilterSchema>;

export async function listSubscribers(
  db: DbOrTx,
  filter: SubscriberFilter,
): Promise<{ rows: SubscriberListItem[]; total: number }> {
  const conditions: SQL[] = [];
  if (filter.q)
    conditions.push(
      sql`${subscribers.address} like ${`%${filter.q.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`} escape '\\'`,
    );
  if (filter.state) conditions.push(eq(subscribers.state, filter.state));
  if (filter.kind) conditions.push(eq(subscribers.kind, filter.kind));
  // Staff mail rows (invitations, resets) are not subscribers.
  conditions.push(ne(subscribers.kind, 'staff'));
  const where = and(...conditions);
  const [{ total }] = await db.select({ total: count() }).from(subscribers).where(where);
  const deliveriesIn = (state: string) =>
    sql<number>`(select count(*) from deliveries d where d.subscriber_id = ${subscribers.id} and d.state = ${state})`;
  const rows = await db
    .select({
      ...getTableColumns(subscribers),
      componentCount: sql<number>`(select count(*) from subscriber_components sc where sc.subscriber_id = ${subscribers.id})`,
      sent: deliveriesIn('sent'),
      failed: deliveriesIn('failed'),
      queued: deliveriesIn('queued'),
    })
    .from(subscribers)
    .where(where)
    .orderBy(desc(subscribers.id))
    .limit(filter.perPage)
    .offset((filter.page - 1) * filter.perPage);
  return { total, rows };
}

export async function getSubscriber(db: DbOrTx, id: number): Promise<SubscriptionView> {
  const [row] = await db.select().from(subscribers).where(eq(subscribers.id, id));
  if (!row) throw new NotFoundError('subscriber', id);
  return subscriptionOf(db, row);
}

/** A webhook's signing secret: 32 random bytes, shown to admins so receivers can verify. */
function webhookSecret(): string {
  return `whsec_${randomBytes(32).toString('base64url')}`;
}

/**
 * Adds a webhook. With `verify` it stays pending until the endpoint echoes a challenge sent
 * through the outbox; without, the admin vouches for it and it is active at once.
 */
export async function addWebhookSubscriber(db: Db, input: unknown, now = Date.now()): Promise<Subscriber> {
  const data = parseInput(webhookSchema, input);
  const ids = await checkComponents(db, data.components);
  return db.transaction(async (tx) => {
    const [existing] = await tx
      .select()
      .from(subscribers)
      .where(and(eq(subscribers.kind, 'webhook'), eq(subscribers.address, data.url)));
    if (existing && existing.state !== 'unsubscribed') {
      throw new ConflictError(`This URL is already subscribed (subscriber ${existing.id}).`);
    }
    const values = {
      state: (data.verify ? 'pending' : 'active') as SubscriberState,
      allComponents: data.components === 'all',
      secret: webhookSecret(),
      confirmedAt: data.verify ? null : now,
      unsubscribedAt: null,
    };
    const [row] = existing
      ? await tx.update(subscribers).set(values).where(eq(subscribers.id, existing.id)).returning()
      : await tx
          .insert(subscribers)
          .values({
            kind: 'webhook',
            address: data.url,
            manageToken: generateToken(),
            source: 'admin',
            createdAt: now,
            ...values,
          })
          .returning();
    await setComponents(tx, row.id, ids);
    if (data.verify) await enqueueVerification(tx, row, now);
    // Never the signing secret: the audit log is readable by every admin.
    await recordAudit(
      tx,
      {
        action: 'subscriber.webhook_add',
        subjectType: 'subscriber',
        subjectId: row.id,
        after: { address: row.address, state: row.state, components: data.components },
      },
      now,
    );
    return row;
  });
}

async function enqueueVerification(tx: DbOrTx, row: Subscriber, now: number): Promise<void> {
  await enqueuePersonal(tx, 'webhook.verify', row, { challenge: randomBytes(16).toString('hex') }, now);
}

export async function resendWebhookVerification(db: Db, id: number, now = Date.now()): Promise<void> {
  const { subscriber } = await getSubscriber(db, id);
  if (subscriber.kind !== 'webhook' || subscriber.state !== 'pending') {
    throw new ConflictError('Only a webhook awaiting verification can be sent a new challenge.');
  }
  await db.transaction((tx) => enqueueVerification(tx, subscriber, now));
}

/** Marks a pending subscriber active: an admin vouching for a webhook, or its echoed challenge. */
export async function activateWebhook(db: DbOrTx, id: number, now = Date.now()): Promise<void> {
  const rows = await db
    .update(subscribers)
    .set({ state: 'active', confirmedAt: now })
    .where(and(eq(subscribers.id, id), eq(subscribers.kind, 'webhook'), eq(subscribers.state, 'pending')))
    .returning({ id: subscribers.id });
  if (rows.length === 0)
    throw new ConflictError(
      'Only a webhook awaiting verification can be confirmed; email addresses confirm themselves.',
    );
  await recordAudit(
    db,
    {
      action: 'subscriber.activate',
      subjectType: 'subscriber',
      subjectId: id,
      before: { state: 'pending' },
      after: { state: 'active' },
    },
    now,
  );
}

export async function unsubscribeById(db: Db, id: number, now = Date.now()): Promise<Subscriber> {
  const { subscriber } = await getSubscriber(db, id);
  const after = await unsubscribe(db, subscriber, now);
  await recordAudit(
    db,
    {
      action: 'subscriber.unsubscribe',
      subjectType: 'subscriber',
      subjectId: id,
      before: { state: subscriber.state },
      after: { state: after.state },
    },
    now,
  );
  return after;
}

/**
 * The outbox delivers to subscriber rows; staff get a row of kind "staff" for their personal mail
 * (invitations, password resets). It never receives broadcasts and is not listed as a subscriber.
 */
export async function staffRecipient(
  tx: DbOrTx,
  email: string,
  now = Date.now(),
): Promise<{ id: number; kind: string }> {
  const address = email.trim().toLowerCase();
  const [existing] = await tx
    .select({ id: subscribers.id, kind: subscribers.kind })
    .from(subscribers)
    .where(and(eq(subscribers.kind, 'staff'), eq(subscribers.address, address)));
  if (existing) return existing;
  const [row] = await tx
    .insert(subscribers)
    .values({
      kind: 'staff',
      address,
      state: 'active',
      allComponents: false,
      manageToken: generateToken(),
      source: 'staff',
      createdAt: now,
      confirmedAt: now,
    })
    .returning({ id: subscribers.id, kind: subscribers.kind });
  return row;
}
