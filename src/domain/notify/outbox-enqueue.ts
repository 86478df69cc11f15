// Writing to the outbox, always inside the transaction of the change being announced: one
// notification with a snapshot of what to say, and one delivery per subscriber it is for.
import { currentRequestId } from '../request-context.ts';
import { sql, type SQL } from 'drizzle-orm';
import { notifications } from '#db/schema/index.ts';
import type { DbOrTx } from '#db/client.ts';
import { idList } from './sql-ids.ts';
import {
  BROADCAST_CHANNELS,
  CHAT_PLATFORMS,
  channelOf,
  type BroadcastKind,
  type Channel,
  type NotificationKind,
  type PersonalKind,
} from './kinds.ts';

/** Who a broadcast is for: subscribers of any of these components (none listed means everyone). */
export interface Broadcast {
  kind: BroadcastKind;
  incidentId?: number | null;
  componentIds: number[];
  payload: unknown;
  /**
   * Only the subscribers meeting this condition on `subscribers s` (a class of readers, see
   * reader-classes.ts); absent or null: every subscriber.
   */
  members?: SQL | null;
}

async function insertNotification(
  tx: DbOrTx,
  kind: NotificationKind,
  incidentId: number | null,
  payload: unknown,
  now: number,
): Promise<number> {
  const [row] = await tx
    .insert(notifications)
    .values({ kind, incidentId, payload: JSON.stringify(payload), createdAt: now, requestId: currentRequestId() })
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
  // Chat channels are subscribers of a platform's kind, all sent over the one 'chat' channel.
  const chatKinds = sql.join(
    CHAT_PLATFORMS.map((k) => sql`${k}`),
    sql`, `,
  );
  const channelSql = sql`(case when s.kind in (${chatKinds}) then 'chat' else s.kind end)`;
  await tx.run(sql`
    insert into deliveries (notification_id, subscriber_id, channel, state, attempts, created_at, updated_at)
    select ${id}, s.id, ${channelSql}, 'queued', 0, ${now}, ${now}
    from subscribers s
    where s.state = 'active' and ${channelSql} in (${sql.join(
      channels.map((c) => sql`${c}`),
      sql`, `,
    )}) and ${forComponents} and ${broadcast.members ?? sql`1 = 1`}
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
  channel: Channel = channelOf(subscriber.kind),
): Promise<number> {
  const id = await insertNotification(tx, kind, null, payload, now);
  await tx.run(sql`
    insert into deliveries (notification_id, subscriber_id, channel, state, attempts, created_at, updated_at)
    values (${id}, ${subscriber.id}, ${channel}, 'queued', 0, ${now}, ${now})`);
  return id;
}
