// A subscriber's data rights: everything Candor holds about one subscriber, exported as JSON, and
// erasure. Erasure keeps the counts the page owes its history (how many were told of an incident)
// but nothing that identifies the person: the row becomes an anonymous stub whose address, links
// and secrets are gone, queued messages are dropped, delivery details cleared, the address's
// rate-limit entry removed, and the audit entries that recorded the address are redacted.
import { randomBytes } from 'node:crypto';
import { and, asc, eq, inArray, notInArray, sql } from 'drizzle-orm';
import {
  auditLog,
  components,
  deliveries,
  notifications,
  rateLimits,
  subscriberComponents,
  subscribers,
} from '#db/schema/index.ts';
import type { Db, DbOrTx } from '#db/client.ts';
import { recordAudit } from './audit.ts';
import { ConflictError, NotFoundError } from './errors.ts';
import { MAIL_ONLY_KINDS } from './notify/kinds.ts';
import { skipQueuedFor } from './notify/outbox.ts';

/** What an erased subscriber's address becomes: unique per row, and plainly not an address. */
export const ERASED_PREFIX = 'erased:';

export function isErased(address: string): boolean {
  return address.startsWith(ERASED_PREFIX);
}

async function subscriberRow(db: DbOrTx, id: number) {
  // Staff and viewer mail rows (invitations, sign-in links) are not subscribers; they are not reached from here.
  const [row] = await db
    .select()
    .from(subscribers)
    .where(and(eq(subscribers.id, id), notInArray(subscribers.kind, [...MAIL_ONLY_KINDS])));
  if (!row) throw new NotFoundError('subscriber', id);
  return row;
}

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

/** Everything held about one subscriber, in one document a person can read and a program can parse. */
export async function exportSubscriber(db: Db, id: number, now = Date.now()) {
  const row = await subscriberRow(db, id);
  const chosen = await db
    .select({ id: components.id, name: components.name })
    .from(subscriberComponents)
    .innerJoin(components, eq(components.id, subscriberComponents.componentId))
    .where(eq(subscriberComponents.subscriberId, id))
    .orderBy(asc(components.id));
  const sent = await db
    .select({
      id: deliveries.id,
      kind: notifications.kind,
      payload: notifications.payload,
      state: deliveries.state,
      attempts: deliveries.attempts,
      createdAt: deliveries.createdAt,
      sentAt: deliveries.sentAt,
      providerId: deliveries.providerId,
      lastError: deliveries.lastError,
    })
    .from(deliveries)
    .innerJoin(notifications, eq(notifications.id, deliveries.notificationId))
    .where(eq(deliveries.subscriberId, id))
    .orderBy(asc(deliveries.id));
  const audit = await db
    .select()
    .from(auditLog)
    .where(and(eq(auditLog.subjectType, 'subscriber'), eq(auditLog.subjectId, String(id))))
    .orderBy(asc(auditLog.id));
  const limits =
    row.kind === 'email'
      ? await db
          .select()
          .from(rateLimits)
          .where(eq(rateLimits.key, addressLimitKey(row.address)))
      : [];
  return {
    exported_at: new Date(now).toISOString(),
    subscriber: {
      id: row.id,
      kind: row.kind,
      address: row.address,
      state: row.state,
      source: row.source,
      created_at: iso(row.createdAt),
      confirmed_at: iso(row.confirmedAt),
      unsubscribed_at: iso(row.unsubscribedAt),
      locale: row.locale,
      has_signing_secret: row.secret !== null,
    },
    components: row.allComponents ? 'all' : chosen,
    deliveries: sent.map((d) => ({
      id: d.id,
      about: about(d.kind, d.payload),
      state: d.state,
      attempts: d.attempts,
      queued_at: iso(d.createdAt),
      sent_at: iso(d.sentAt),
      provider_id: d.providerId,
      last_error: d.lastError,
    })),
    audit: audit.map((a) => ({
      at: iso(a.at),
      action: a.action,
      by: a.actorName,
      // As recorded: JSON texts, whatever shape the record had.
      before: a.before,
      after: a.after,
    })),
    rate_limits: limits.map((l) => ({ key: l.key, window_start: iso(l.windowStart), count: l.count })),
  };
}

export type SubscriberExport = Awaited<ReturnType<typeof exportSubscriber>>;

/** What a message was about, from its snapshot: the kind and, where there is one, the title. */
function about(kind: string, payload: string): { kind: string; title: string | null } {
  try {
    const parsed = JSON.parse(payload) as { incident?: { title?: string }; maintenance?: { title?: string } };
    return { kind, title: parsed.incident?.title ?? parsed.maintenance?.title ?? null };
  } catch {
    return { kind, title: null };
  }
}

function addressLimitKey(address: string): string {
  return `subscribe:address:${address}`;
}

export interface ErasureResult {
  id: number;
  /** Messages that were queued for the subscriber and will now never be sent. */
  dropped: number;
  /** Audit entries whose record of the address was redacted. */
  redacted: number;
}

/**
 * Erases one subscriber for good, in one transaction. The erasure itself is audited, without
 * the address. Erasing twice is harmless: the second finds nothing left to remove.
 */
export async function eraseSubscriber(db: Db, id: number, now = Date.now()): Promise<ErasureResult> {
  return db.transaction(async (tx) => {
    const row = await subscriberRow(tx, id);
    const address = row.address;
    const queued = await tx
      .select({ n: sql<number>`count(*)` })
      .from(deliveries)
      .where(and(eq(deliveries.subscriberId, id), eq(deliveries.state, 'queued')));
    await dropFromBatches(tx, id, now);
    await skipQueuedFor(tx, id, now);
    await tx
      .update(subscribers)
      .set({
        address: `${ERASED_PREFIX}${id}`,
        state: 'unsubscribed',
        unsubscribedAt: row.unsubscribedAt ?? now,
        manageToken: `${ERASED_PREFIX}${randomBytes(24).toString('base64url')}`,
        confirmTokenHash: null,
        confirmExpiresAt: null,
        secret: null,
        allComponents: true,
      })
      .where(eq(subscribers.id, id));
    await tx.delete(subscriberComponents).where(eq(subscriberComponents.subscriberId, id));
    // Counts stay (a row per message); what a provider said about the address does not.
    await tx.update(deliveries).set({ providerId: null, lastError: null }).where(eq(deliveries.subscriberId, id));
    if (row.kind === 'email') await tx.delete(rateLimits).where(eq(rateLimits.key, addressLimitKey(address)));
    const redacted = isErased(address) ? 0 : await redactAudit(tx, id, address);
    await recordAudit(
      tx,
      {
        action: 'subscriber.erase',
        subjectType: 'subscriber',
        subjectId: id,
        after: { kind: row.kind, erased: true, droppedMessages: Number(queued[0].n), redactedEntries: redacted },
      },
      now,
    );
    return { id, dropped: Number(queued[0].n), redacted };
  });
}

/**
 * A message already in a provider batch is rendered from the subscriber's row at each try, and a
 * batch must stay the same bytes under its idempotency key. A batch of one (a webhook) that is not
 * being sent right now is simply closed; otherwise erasure waits until the batch is done.
 */
async function dropFromBatches(tx: DbOrTx, id: number, now: number): Promise<void> {
  const held = await tx.all<{ delivery: number; batch: number; members: number; lease_until: number }>(sql`
    select d.id as delivery, b.id as batch, b.lease_until,
      (select count(*) from deliveries m where m.batch_id = b.id and m.state = 'queued') as members
    from deliveries d join delivery_batches b on b.id = d.batch_id
    where d.subscriber_id = ${id} and d.state = 'queued' and b.state = 'open'`);
  for (const h of held) {
    if (h.lease_until > now)
      throw new ConflictError('A message to this subscriber is being sent right now. Erase again in a minute.');
    if (h.members > 1)
      throw new ConflictError(
        'A message to this subscriber waits in a batch with other recipients, which must go out unchanged. Erase again once the Outbox shows it sent or failed.',
      );
    await tx.run(sql`
      update deliveries set state = 'skipped', last_error = null, updated_at = ${now} where id = ${h.delivery}`);
    await tx.run(sql`update delivery_batches set state = 'done', lease_owner = null where id = ${h.batch}`);
  }
}

/** Replaces every audit record that holds the address with a redacted one (the trigger allows only this). */
async function redactAudit(tx: DbOrTx, id: number, address: string): Promise<number> {
  const entries = await tx
    .select({ id: auditLog.id, before: auditLog.before, after: auditLog.after })
    .from(auditLog)
    .where(
      and(
        eq(auditLog.subjectType, 'subscriber'),
        eq(auditLog.subjectId, String(id)),
        sql`(instr(coalesce(${auditLog.before}, ''), ${address}) > 0 or instr(coalesce(${auditLog.after}, ''), ${address}) > 0)`,
      ),
    );
  const redact = (text: string | null) =>
    text !== null && text.includes(address) ? JSON.stringify(redacted(JSON.parse(text) as unknown, address)) : text;
  for (const entry of entries) {
    await tx
      .update(auditLog)
      .set({ before: redact(entry.before), after: redact(entry.after) })
      .where(inArray(auditLog.id, [entry.id]));
  }
  return entries.length;
}

/** The record with every string holding the address replaced, marked as redacted. */
function redacted(value: unknown, address: string): unknown {
  const walk = (v: unknown): unknown => {
    if (typeof v === 'string') return v.includes(address) ? '[erased]' : v;
    if (Array.isArray(v)) return v.map(walk);
    if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x)]));
    return v;
  };
  const result = walk(value);
  return result && typeof result === 'object' && !Array.isArray(result)
    ? { ...result, redacted: true }
    : { value: result, redacted: true };
}
