// The durable outbox. Notifications and their deliveries are written in the transaction of the
// change they announce; workers then claim provider-sized batches under a lease, so any number
// of instances can send without two of them sending the same batch, and a batch abandoned by a
// crashed worker is taken over — with its original idempotency key — once its lease runs out.
import { randomUUID } from 'node:crypto';
import { sql, type SQL } from 'drizzle-orm';
import { deliveryBatches, notifications } from '../../../db/schema.ts';
import type { Db, DbOrTx } from '../../db/client.ts';
import { recordAudit } from '../audit.ts';
import {
  BROADCAST_CHANNELS,
  EMAIL_BATCH_SIZE,
  type BroadcastKind,
  type Channel,
  type DeliveryState,
  type NotificationKind,
  type PersonalKind,
} from './kinds.ts';

/** Who a broadcast is for: subscribers of any of these components (none listed means everyone). */
export interface Broadcast {
  kind: BroadcastKind;
  incidentId?: number | null;
  componentIds: number[];
  payload: unknown;
}

const idList = (ids: number[]): SQL => sql.join(ids.map((id) => sql`${id}`), sql`, `);

async function insertNotification(tx: DbOrTx, kind: NotificationKind, incidentId: number | null, payload: unknown, now: number): Promise<number> {
  const [row] = await tx
    .insert(notifications)
    .values({ kind, incidentId, payload: JSON.stringify(payload), createdAt: now })
    .returning({ id: notifications.id });
  return row.id;
}

/** Records a broadcast and one queued delivery per matching confirmed subscriber, in one statement. */
export async function enqueueBroadcast(tx: DbOrTx, broadcast: Broadcast, now = Date.now()): Promise<number> {
  const id = await insertNotification(tx, broadcast.kind, broadcast.incidentId ?? null, broadcast.payload, now);
  const channels = BROADCAST_CHANNELS[broadcast.kind];
  const ids = [...new Set(broadcast.componentIds)];
  const forComponents = ids.length
    ? sql`(s.all_components = 1 or exists (select 1 from subscriber_components sc where sc.subscriber_id = s.id and sc.component_id in (${idList(ids)})))`
    : sql`1 = 1`;
  await tx.run(sql`
    insert into deliveries (notification_id, subscriber_id, channel, state, attempts, created_at, updated_at)
    select ${id}, s.id, s.kind, 'queued', 0, ${now}, ${now}
    from subscribers s
    where s.state = 'active' and s.kind in (${sql.join(channels.map((c) => sql`${c}`), sql`, `)}) and ${forComponents}
    on conflict do nothing`);
  return id;
}

/** Records a message about one subscription (confirmation, verification) for that subscriber alone. */
export async function enqueuePersonal(
  tx: DbOrTx,
  kind: PersonalKind,
  subscriber: { id: number; kind: string },
  payload: unknown,
  now = Date.now(),
  channel: Channel = subscriber.kind === 'webhook' ? 'webhook' : 'email',
): Promise<number> {
  const id = await insertNotification(tx, kind, null, payload, now);
  await tx.run(sql`
    insert into deliveries (notification_id, subscriber_id, channel, state, attempts, created_at, updated_at)
    values (${id}, ${subscriber.id}, ${channel}, 'queued', 0, ${now}, ${now})`);
  return id;
}

export interface ClaimedDelivery {
  id: number;
  attempts: number;
  notificationId: number;
  kind: NotificationKind;
  payload: unknown;
  notifiedAt: number;
  subscriberId: number;
  address: string;
  manageToken: string;
  secret: string | null;
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

export const BATCH_SIZE: Record<Channel, number> = { email: EMAIL_BATCH_SIZE, webhook: 1 };

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
      .values({ channel, idempotencyKey: randomUUID(), state: 'open', nextAttemptAt: now, leaseOwner: options.owner, leaseUntil, createdAt: now })
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
    id: number; attempts: number; notification_id: number; subscriber_id: number; address: string; manage_token: string; secret: string | null;
  }>(sql`
    select d.id, d.attempts, d.notification_id, s.id as subscriber_id, s.address, s.manage_token, s.secret
    from deliveries d
    join subscribers s on s.id = d.subscriber_id
    where d.batch_id = ${batchId} and d.state = 'queued'
    order by d.id`);
  // A batch usually carries one notification: parse its snapshot once, not once per recipient.
  const notificationIds = [...new Set(rows.map((r) => r.notification_id))];
  const notes = notificationIds.length
    ? await db.all<{ id: number; kind: NotificationKind; payload: string; created_at: number }>(sql`
        select id, kind, payload, created_at from notifications where id in (${idList(notificationIds)})`)
    : [];
  const byId = new Map(notes.map((n) => [n.id, { kind: n.kind, payload: JSON.parse(n.payload) as unknown, createdAt: n.created_at }]));
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
      address: r.address,
      manageToken: r.manage_token,
      secret: r.secret,
    })),
  };
}

/** The provider accepted the batch: every delivery is sent, with the provider's id where given. */
export async function recordBatchSent(db: Db, batchId: number, providerIds: Map<number, string | null>, now = Date.now()): Promise<void> {
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

/** Re-queues failed deliveries (all, one subscriber's, or chosen ones) as new provider calls. */
export async function resendFailed(db: Db, filter: { subscriberId?: number; deliveryIds?: number[] } = {}, now = Date.now()): Promise<number> {
  const conditions: SQL[] = [sql`state = 'failed'`];
  if (filter.subscriberId !== undefined) conditions.push(sql`subscriber_id = ${filter.subscriberId}`);
  if (filter.deliveryIds) {
    if (filter.deliveryIds.length === 0) return 0;
    conditions.push(sql`id in (${idList(filter.deliveryIds)})`);
  }
  const rows = await db.all<{ id: number }>(sql`
    update deliveries set state = 'queued', batch_id = null, last_error = 'Re-sent by an admin after: ' || coalesce(last_error, 'failure'),
                          updated_at = ${now}
    where ${sql.join(conditions, sql` and `)}
    returning id`);
  if (rows.length) await recordAudit(db, { action: 'outbox.resend', subjectType: filter.subscriberId !== undefined ? 'subscriber' : 'outbox', subjectId: filter.subscriberId ?? 'all', after: { deliveries: rows.length } }, now);
  return rows.length;
}

/** Queued messages a subscriber should no longer get once they leave. */
export async function skipQueuedFor(tx: DbOrTx, subscriberId: number, now = Date.now()): Promise<void> {
  await tx.run(sql`
    update deliveries set state = 'skipped', last_error = 'Unsubscribed before it was sent', updated_at = ${now}
    where subscriber_id = ${subscriberId} and state = 'queued' and batch_id is null`);
}

export type OutboxCounts = Record<Channel, Record<DeliveryState, number>>;

export async function outboxCounts(db: DbOrTx): Promise<OutboxCounts> {
  const rows = await db.all<{ channel: Channel; state: DeliveryState; n: number }>(sql`
    select channel, state, count(*) as n from deliveries group by channel, state`);
  const counts: OutboxCounts = {
    email: { queued: 0, sent: 0, failed: 0, skipped: 0 },
    webhook: { queued: 0, sent: 0, failed: 0, skipped: 0 },
  };
  for (const r of rows) if (counts[r.channel]) counts[r.channel][r.state] = r.n;
  return counts;
}

export interface DeliveryRow {
  id: number;
  channel: Channel;
  state: DeliveryState;
  attempts: number;
  providerId: string | null;
  lastError: string | null;
  createdAt: number;
  updatedAt: number;
  sentAt: number | null;
  kind: NotificationKind;
  incidentId: number | null;
  subscriberId: number;
  address: string;
  nextAttemptAt: number | null;
}

/** Deliveries for the admin, newest first, optionally one subscriber's or in one state. */
export async function listDeliveries(
  db: DbOrTx,
  filter: { id?: number; subscriberId?: number; state?: DeliveryState; channel?: Channel; limit?: number } = {},
): Promise<DeliveryRow[]> {
  const conditions: SQL[] = [sql`1 = 1`];
  if (filter.id !== undefined) conditions.push(sql`d.id = ${filter.id}`);
  if (filter.subscriberId !== undefined) conditions.push(sql`d.subscriber_id = ${filter.subscriberId}`);
  if (filter.state) conditions.push(sql`d.state = ${filter.state}`);
  if (filter.channel) conditions.push(sql`d.channel = ${filter.channel}`);
  const rows = await db.all<Record<string, unknown>>(sql`
    select d.id, d.channel, d.state, d.attempts, d.provider_id, d.last_error, d.created_at, d.updated_at, d.sent_at,
           n.kind, n.incident_id, s.id as subscriber_id, s.address,
           case when b.state = 'open' then b.next_attempt_at end as next_attempt_at
    from deliveries d
    join notifications n on n.id = d.notification_id
    join subscribers s on s.id = d.subscriber_id
    left join delivery_batches b on b.id = d.batch_id
    where ${sql.join(conditions, sql` and `)}
    order by d.id desc
    limit ${filter.limit ?? 100}`);
  return rows.map((r) => ({
    id: r.id as number,
    channel: r.channel as Channel,
    state: r.state as DeliveryState,
    attempts: r.attempts as number,
    providerId: r.provider_id as string | null,
    lastError: r.last_error as string | null,
    createdAt: r.created_at as number,
    updatedAt: r.updated_at as number,
    sentAt: r.sent_at as number | null,
    kind: r.kind as NotificationKind,
    incidentId: r.incident_id as number | null,
    subscriberId: r.subscriber_id as number,
    address: r.address as string,
    nextAttemptAt: r.next_attempt_at as number | null,
  }));
}

/** One delivery with everything needed to show the exact message it carries. */
export async function loadDelivery(db: DbOrTx, id: number): Promise<(ClaimedDelivery & { row: DeliveryRow }) | null> {
  const [view] = await listDeliveries(db, { id, limit: 1 });
  if (!view) return null;
  const [row] = await db.all<{ payload: string; manage_token: string; secret: string | null; notified_at: number; notification_id: number }>(sql`
    select n.payload, n.created_at as notified_at, n.id as notification_id, s.manage_token, s.secret
    from deliveries d join notifications n on n.id = d.notification_id join subscribers s on s.id = d.subscriber_id
    where d.id = ${id}`);
  return {
    id,
    attempts: view.attempts,
    notificationId: row.notification_id,
    kind: view.kind,
    payload: JSON.parse(row.payload),
    notifiedAt: row.notified_at,
    subscriberId: view.subscriberId,
    address: view.address,
    manageToken: row.manage_token,
    secret: row.secret,
    row: view,
  };
}
