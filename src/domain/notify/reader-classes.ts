// Who is told what, when some components belong to audiences (issue 20): subscribers fall into
// classes by the audiences they subscribed as (none: the public), and each class gets its own
// notification, built with that class's Visibility (audiences/visibility.ts) — so a public
// subscriber is never sent an audience-only incident, window or component, nor a hidden
// component's name inside one it may see. Deciding when the change happens (not when sending)
// keeps the outbox's promise: a retry renders exactly the bytes of the first attempt.
// Without audiences there is one class, everyone, and one notification, as before.
import { sql, type SQL } from 'drizzle-orm';
import { subscriberAudiences } from '#db/schema/index.ts';
import type { DbOrTx } from '#db/client.ts';
import { audienceViewer, PUBLIC_VIEWER } from '../audiences/viewer.ts';
import { hidesAnything, loadVisibility, type Visibility } from '../audiences/visibility.ts';
import { enqueueBroadcast, type Broadcast } from './outbox-enqueue.ts';
import { idList } from './sql-ids.ts';

export interface ReaderClass {
  visibility: Visibility;
  /** Which subscribers are in the class (a condition on `subscribers s`); null: every one. */
  members: SQL | null;
}

/** Subscribers whose audiences are exactly `ids` (none: the public). */
function exactly(ids: readonly number[]): SQL {
  if (ids.length === 0) return sql`not exists (select 1 from subscriber_audiences sa where sa.subscriber_id = s.id)`;
  return sql`(not exists (select 1 from subscriber_audiences sa where sa.subscriber_id = s.id and sa.audience_id not in (${idList([...ids])}))
    and (select count(*) from subscriber_audiences sa where sa.subscriber_id = s.id) = ${ids.length})`;
}

/** The classes subscribers fall into now: the public, and each set of audiences some subscriber holds. */
export async function readerClasses(tx: DbOrTx): Promise<ReaderClass[]> {
  const publicView = await loadVisibility(tx, PUBLIC_VIEWER);
  // Nothing hidden from the public is nothing hidden from anyone: one class, as without audiences.
  if (!hidesAnything(publicView)) return [{ visibility: publicView, members: null }];
  const rows = await tx.select().from(subscriberAudiences);
  const bySubscriber = new Map<number, number[]>();
  for (const r of rows) bySubscriber.set(r.subscriberId, [...(bySubscriber.get(r.subscriberId) ?? []), r.audienceId]);
  const sets = new Map<string, number[]>();
  for (const ids of bySubscriber.values()) {
    const sorted = [...ids].sort((a, b) => a - b);
    sets.set(sorted.join(','), sorted);
  }
  const classes: ReaderClass[] = [{ visibility: publicView, members: exactly([]) }];
  for (const ids of sets.values())
    classes.push({ visibility: await loadVisibility(tx, audienceViewer(ids)), members: exactly(ids) });
  return classes;
}

/**
 * Queues what `build` makes for each class of reader: null when that class is not to hear of it
 * (an incident it does not see). `build` must work only from what `v` lets it see.
 */
export async function enqueueForReaders(
  tx: DbOrTx,
  build: (v: Visibility) => Promise<Broadcast | null>,
  now: number,
): Promise<void> {
  for (const c of await readerClasses(tx)) {
    const broadcast = await build(c.visibility);
    if (broadcast) await enqueueBroadcast(tx, { ...broadcast, members: c.members }, now);
  }
}
