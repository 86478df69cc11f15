// Subscribers as staff manage them: the list and one subscriber, webhooks (added by an admin,
// verified by a challenge, or vouched for), unsubscribing someone, and staff mail recipients.
import { randomBytes } from 'node:crypto';
import { and, count, desc, eq, getTableColumns, notInArray, sql, type SQL } from 'drizzle-orm';
import { z } from 'zod';
import { subscribers } from '../db/schema/index.ts';
import type { Db, DbOrTx } from '../db/client.ts';
import { generateToken } from './auth/tokens.ts';
import { recordAudit } from './audit.ts';
import { ConflictError, NotFoundError, fieldError, oneOf, parseInput } from './errors.ts';
import { outboundPolicy, urlRefusal } from './outbound-rules.ts';
import { pageSnapshot, type VerifyPayload } from './notify/events.ts';
import { subscriberVisibility } from './audiences/subscriber-audiences.ts';
import { LISTED_KINDS, MAIL_ONLY_KINDS, SUBSCRIBER_STATES, type SubscriberState } from './notify/kinds.ts';
import { enqueuePersonal } from './notify/outbox.ts';
import type { Subscriber, SubscriptionView } from './subscriber-rules.ts';
import { EVERYTHING } from './audiences/visibility.ts';
import { webhookSchema, checkComponents, setComponents, subscriptionOf, unsubscribe } from './subscriber-rules.ts';
export interface SubscriberListItem extends Subscriber {
  componentCount: number;
  sent: number;
  failed: number;
  queued: number;
}

export const subscriberFilterSchema = z.object({
  q: z.string().trim().max(200).default(''),
  state: oneOf(SUBSCRIBER_STATES).optional().catch(undefined),
  kind: oneOf(LISTED_KINDS).optional().catch(undefined),
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
  conditions.push(notInArray(subscribers.kind, [...MAIL_ONLY_KINDS]));
  const where = and(...conditions);
  const [{ total }] = await db.select({ total: count() }).from(subscribers).where(where);
  // The outer row named in full: drizzle writes a bare "id", which inside the subquery would be the
  // delivery's own id and count some other subscriber's deliveries.
  const deliveriesIn = (state: string) =>
    sql<number>`(select count(*) from deliveries d where d.subscriber_id = "subscribers"."id" and d.state = ${state})`;
  const rows = await db
    .select({
      ...getTableColumns(subscribers),
      componentCount: sql<number>`(select count(*) from subscriber_components sc where sc.subscriber_id = "subscribers"."id")`,
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
  // A staff mail row (invitations, resets) is not a subscriber: nothing here may show or change it.
  const [row] = await db
    .select()
    .from(subscribers)
    .where(and(eq(subscribers.id, id), notInArray(subscribers.kind, [...MAIL_ONLY_KINDS])));
  if (!row) throw new NotFoundError('subscriber', id);
  return subscriptionOf(db, row);
}

/** A webhook's signing secret: 32 random bytes, shown to admins so receivers can verify. */
export function webhookSecret(): string {
  return `whsec_${randomBytes(32).toString('base64url')}`;
}

/**
 * Adds a webhook. With `verify` it stays pending until the endpoint echoes a challenge sent
 * through the outbox; without, the admin vouches for it and it is active at once.
 */
export async function addWebhookSubscriber(db: Db, input: unknown, now = Date.now()): Promise<Subscriber> {
  const data = parseInput(webhookSchema, input);
  // A private or metadata address is refused here in words; names are checked again at connect time.
  const refusal = urlRefusal(data.url, outboundPolicy());
  if (refusal) throw fieldError('url', refusal);
  // Staff may choose any component; what is sent is still only what the subscriber may see.
  const ids = await checkComponents(db, data.components, EVERYTHING);
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
  const page = await pageSnapshot(tx, await subscriberVisibility(tx, row.id));
  const payload: VerifyPayload = { challenge: randomBytes(16).toString('hex'), page };
  await enqueuePersonal(tx, 'webhook.verify', row, payload, now);
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
