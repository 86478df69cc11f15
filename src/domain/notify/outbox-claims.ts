// Sending from the outbox: workers claim provider-sized batches under a lease and record how each
// batch went (sent, retry with backoff, failed). A batch keeps its members and idempotency key for
// all its tries, so a batch abandoned by a crashed worker is taken over and never sent twice.
import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { deliveryBatches } from '#db/schema/index.ts';
import type { Db, DbOrTx } from '#db/client.ts';
import { idList } from './sql-ids.ts';
import { EMAIL_BATCH_SIZE, type Channel, type NotificationKind } from './kinds.ts';
import { DEFAULT_LOCALE, isLocale, type Locale } from '../locales.ts';

export interface ClaimedDelivery {
  id: number;
  attempts: number;
  notificationId: number;
  kind: NotificationKind;
  payload: unknown;
  notifiedAt: number;
  subscriberId: number;
  /** email, webhook, or the chat platform (slack, teams, discord, google_chat). */
  subscriberKind: string;
  address: string;
  manageToken: string;
  /** The subscriber's language: emails are written in it. */
  locale: Locale;
  secret: string | null;
  /** The request that queued the message (for the log), null when none did. */
  requestId: string | null;
}

export interface ClaimedBatch {
  id: number;
  channel: Channel;
  idempotencyKey: string;
  attempts: number;
  deliveries: ClaimedDelivery[];
}

export interface ClaimOptions {
  owner: string;
  leaseMs: number;
  now?: number;
}

export const BATCH_SIZE: Record<Channel, number> = { email: EMAIL_BATCH_SIZE, webhook: 1, chat: 1 };

/**
 * Claims work for one provider call: first a batch whose lease ran out (a worker died or gave it
 * back for a retry), else a new batch of queued deliveries. Returns null when nothing is due.
 */
export async function claimBatch(db: Db, channel: Channel, options: ClaimOptions): Promise<ClaimedBatch | null> {
  const now = options.now ?? Date.now();
  const leaseUntil = now + options.leaseMs;
  // Reads first, so idle workers do not take the write lock on every poll.
  const [due] = await db.all<{ id: number }>(sql`
    select id from delivery_batches
    where state = 'open' and channel = ${channel} and next_attempt_at <= ${now} and lease_until <= ${now}
    order by next_attempt_at, id limit 1`);
  if (due) {
    // The lease condition again: of two workers that saw the same batch, only one takes it.
    const [reclaimed] = await db.all<{ id: number }>(sql`
      update delivery_batches set lease_owner = ${options.owner}, lease_until = ${leaseUntil}
      where id = ${due.id} and state = 'open' and lease_until <= ${now}
      returning id`);
    if (reclaimed) return loadBatch(db, reclaimed.id);
  }

  const [waiting] = await db.all<{ id: number }>(sql`
    select id from deliveries where channel = ${channel} and state = 'queued' and batch_id is null limit 1`);
  if (!waiting) return null;

  const batchId = await db.transaction(async (tx) => {
    const [batch] = await tx
      .insert(deliveryBatches)
      .values({
        channel,
        idempotencyKey: randomUUID(),
        state: 'open',
        nextAttemptAt: now,
        leaseOwner: options.owner,
        leaseUntil,
        createdAt: now,
      })
      .returning({ id: deliveryBatches.id });
    const taken = await tx.all<{ id: number }>(sql`
      update deliveries set batch_id = ${batch.id}, updated_at = ${now}
      where id in (select id from deliveries where channel = ${channel} and state = 'queued' and batch_id is null
                   order by id limit ${BATCH_SIZE[channel]})
      returning id`);
    if (taken.length === 0) {
      await tx.run(sql`delete from delivery_batches where id = ${batch.id}`);
      return null;
    }
    return batch.id;
  });
  return batchId === null ? null : loadBatch(db, batchId);
}

async function loadBatch(db: DbOrTx, batchId: number): Promise<ClaimedBatch | null> {
  const [batch] = await db.all<{ id: number; channel: Channel; idempotency_key: string; attempts: number }>(sql`
    select id, channel, idempotency_key, attempts from delivery_batches where id = ${batchId}`);
  const rows = await db.all<{
    id: number;
    attempts: number;
    notification_id: number;
    subscriber_id: number;
    subscriber_kind: string;
    address: string;
    manage_token: string;
    locale: string;
    secret: string | null;
  }>(sql`
    select d.id, d.attempts, d.notification_id, s.id as subscriber_id, s.kind as subscriber_kind, s.address, s.manage_token, s.locale, s.secret
    from deliveries d
    join subscribers s on s.id = d.subscriber_id
    where d.batch_id = ${batchId} and d.state = 'queued'
    order by d.id`);
  // A batch usually carries one notification: parse its snapshot once, not once per recipient.
  const notificationIds = [...new Set(rows.map((r) => r.notification_id))];
  const notes = notificationIds.length
    ? await db.all<{
        id: number;
        kind: NotificationKind;
        payload: string;
        created_at: number;
        request_id: string | null;
      }>(sql`
        select id, kind, payload, created_at, request_id from notifications where id in (${idList(notificationIds)})`)
    : [];
  const byId = new Map(
    notes.map((n) => [
      n.id,
      { kind: n.kind, payload: JSON.parse(n.payload) as unknown, createdAt: n.created_at, requestId: n.request_id },
    ]),
  );
  if (rows.length === 0) {
    await db.run(sql`update delivery_batches set state = 'done', lease_owner = null where id = ${batchId}`);
    return null;
  }
  return {
    id: batch.id,
    channel: batch.channel,
    idempotencyKey: batch.idempotency_key,
    attempts: batch.attempts,
    deliveries: rows.map((r) => ({
      id: r.id,
      attempts: r.attempts,
      notificationId: r.notification_id,
      kind: byId.get(r.notification_id)!.kind,
      payload: byId.get(r.notification_id)!.payload,
      notifiedAt: byId.get(r.notification_id)!.createdAt,
      subscriberId: r.subscriber_id,
      subscriberKind: r.subscriber_kind,
      address: r.address,
      manageToken: r.manage_token,
      locale: isLocale(r.locale) ? r.locale : DEFAULT_LOCALE,
      secret: r.secret,
      requestId: byId.get(r.notification_id)!.requestId,
    })),
  };
}

/** The provider accepted the batch: every delivery is sent, with the provider's id where given. */
export async function recordBatchSent(
  db: Db,
  batchId: number,
  providerIds: Map<number, string | null>,
  now = Date.now(),
): Promise<void> {
  const pairs = JSON.stringify([...providerIds].map(([id, providerId]) => [id, providerId]));
  await db.transaction(async (tx) => {
    await tx.run(sql`
      update deliveries set state = 'sent', sent_at = ${now}, updated_at = ${now}, attempts = attempts + 1, last_error = null,
        provider_id = (select j.value ->> 1 from json_each(${pairs}) as j where j.value ->> 0 = deliveries.id)
      where batch_id = ${batchId} and state = 'queued'`);
    await tx.run(sql`update delivery_batches set state = 'done', attempts = attempts + 1 where id = ${batchId}`);
  });
}

/**
 * One message of a batch was accepted (SMTP): recorded at once, on its own, so that a crash
 * right after can repeat this message at most, never the ones before it.
 */
export async function recordDeliverySent(db: Db, deliveryId: number, providerId: string | null, now = Date.now()) {
  await db.run(sql`
    update deliveries set state = 'sent', sent_at = ${now}, updated_at = ${now}, attempts = attempts + 1, last_error = null,
      provider_id = ${providerId}
    where id = ${deliveryId} and state = 'queued'`);
}

/** One message of a batch was refused for good (an SMTP 5xx for that address). */
export async function recordDeliveryFailed(db: Db, deliveryId: number, reason: string, now = Date.now()) {
  await db.run(sql`
    update deliveries set state = 'failed', attempts = attempts + 1, last_error = ${reason}, updated_at = ${now}
    where id = ${deliveryId} and state = 'queued'`);
}

/**
 * The call failed but may succeed later: give the batch back, due again at `retryAt`. A rate
 * limit is not the batch's fault, so it does not count as an attempt.
 */
export async function recordBatchRetry(
  db: Db,
  batchId: number,
  reason: string,
  retryAt: number,
  options: { countsAsAttempt: boolean; now?: number },
): Promise<void> {
  const now = options.now ?? Date.now();
  const step = options.countsAsAttempt ? 1 : 0;
  await db.transaction(async (tx) => {
    await tx.run(sql`
      update deliveries set attempts = attempts + ${step}, last_error = ${reason}, updated_at = ${now}
      where batch_id = ${batchId} and state = 'queued'`);
    await tx.run(sql`
      update delivery_batches set attempts = attempts + ${step}, next_attempt_at = ${retryAt}, lease_until = 0, lease_owner = null
      where id = ${batchId}`);
  });
}

/** The call can never succeed as it is (or retries ran out): the deliveries fail with the reason. */
export async function recordBatchFailed(db: Db, batchId: number, reason: string, now = Date.now()): Promise<void> {
  await db.transaction(async (tx) => {
    await tx.run(sql`
      update deliveries set state = 'failed', attempts = attempts + 1, last_error = ${reason}, updated_at = ${now}
      where batch_id = ${batchId} and state = 'queued'`);
    await tx.run(sql`update delivery_batches set state = 'done', attempts = attempts + 1 where id = ${batchId}`);
  });
}

/**
 * Extends a lease this worker still holds, while a slow provider call is under way: leases can
 * then be short, so the work of an instance that died is taken over within one lease.
 */
export async function renewLease(db: Db, batchId: number, owner: string, leaseUntil: number): Promise<void> {
  await db.run(sql`
    update delivery_batches set lease_until = ${leaseUntil}
    where id = ${batchId} and state = 'open' and lease_owner = ${owner}`);
}

/**
 * Gives back at once every batch this worker holds but will not send (it is stopping), so another
 * instance takes them on its next poll instead of after the lease. Only batches whose call was not
 * made are given back: a call in flight is waited for and recorded first.
 */
export async function releaseLeases(db: Db, owner: string, batchId?: number): Promise<number> {
  const rows = await db.all<{ id: number }>(sql`
    update delivery_batches set lease_until = 0, lease_owner = null
    where state = 'open' and lease_owner = ${owner} ${batchId === undefined ? sql`` : sql`and id = ${batchId}`}
    returning id`);
  return rows.length;
}
