// The outbox as the admin sees it: counts per channel and state, deliveries with their history,
// one delivery's exact message, re-sending failures, and skipping what a leaver was still owed.
import { DEFAULT_LOCALE, isLocale } from '../locales.ts';
import { sql, type SQL } from 'drizzle-orm';
import type { Db, DbOrTx } from '#db/client.ts';
import { idList } from './sql-ids.ts';
import { recordAudit } from '../audit.ts';
import { type Channel, type DeliveryState, type NotificationKind, type SubscriberKind } from './kinds.ts';
import type { ClaimedDelivery } from './outbox-claims.ts';

/** Re-queues failed deliveries (all, one subscriber's, or chosen ones) as new provider calls. */
export async function resendFailed(
  db: Db,
  filter: { subscriberId?: number; deliveryIds?: number[] } = {},
  now = Date.now(),
): Promise<number> {
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
  if (rows.length)
    await recordAudit(
      db,
      {
        action: 'outbox.resend',
        subjectType: filter.subscriberId !== undefined ? 'subscriber' : 'outbox',
        subjectId: filter.subscriberId ?? 'all',
        after: { deliveries: rows.length },
      },
      now,
    );
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
    chat: { queued: 0, sent: 0, failed: 0, skipped: 0 },
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
  /** `staff` for a team member's own mail (invitation, reset): not a subscriber. */
  subscriberKind: SubscriberKind;
  address: string;
  nextAttemptAt: number | null;
}

/** How many subscribers are being told of an incident update: the deliveries its broadcast queued. */
export async function recipientsOfUpdate(db: DbOrTx, incidentId: number, updateId: number): Promise<number> {
  const [row] = await db.all<{ n: number }>(sql`
    select count(*) as n from deliveries d join notifications n on n.id = d.notification_id
    where n.incident_id = ${incidentId} and json_extract(n.payload, '$.updateId') = ${updateId}
      and n.kind <> 'incident.corrected'`);
  return row?.n ?? 0;
}

/**
 * Deliveries queued for the latest correction notice of an update (the one just asked for): one
 * notification per class of reader (reader-classes.ts), all written at the same moment.
 */
export async function recipientsOfCorrection(db: DbOrTx, incidentId: number, updateId: number): Promise<number> {
  const notice = sql`n.incident_id = ${incidentId} and n.kind = 'incident.corrected'
    and json_extract(n.payload, '$.updateId') = ${updateId}`;
  const [row] = await db.all<{ n: number }>(sql`
    select count(*) as n from deliveries d join notifications n on n.id = d.notification_id
    where ${notice} and n.created_at = (select max(n.created_at) from notifications n where ${notice})`);
  return row?.n ?? 0;
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
           n.kind, n.incident_id, s.id as subscriber_id, s.kind as subscriber_kind, s.address,
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
    subscriberKind: r.subscriber_kind as SubscriberKind,
    address: r.address as string,
    nextAttemptAt: r.next_attempt_at as number | null,
  }));
}

/** One delivery with everything needed to show the exact message it carries. */
export async function loadDelivery(db: DbOrTx, id: number): Promise<(ClaimedDelivery & { row: DeliveryRow }) | null> {
  const [view] = await listDeliveries(db, { id, limit: 1 });
  if (!view) return null;
  const [row] = await db.all<{
    payload: string;
    manage_token: string;
    locale: string;
    secret: string | null;
    notified_at: number;
    notification_id: number;
    request_id: string | null;
  }>(sql`
    select n.payload, n.created_at as notified_at, n.id as notification_id, n.request_id, s.manage_token, s.locale, s.secret
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
    subscriberKind: view.subscriberKind,
    address: view.address,
    manageToken: row.manage_token,
    locale: isLocale(row.locale) ? row.locale : DEFAULT_LOCALE,
    secret: row.secret,
    requestId: row.request_id,
    row: view,
  };
}
