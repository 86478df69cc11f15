// Which audiences a subscriber subscribed as a member of (none: the public).
import { asc, eq } from 'drizzle-orm';
import { subscriberAudiences } from '../../db/schema/index.ts';
import type { DbOrTx } from '../../db/client.ts';
import { audienceViewer } from './viewer.ts';
import { loadVisibility, type Visibility } from './visibility.ts';

export async function subscriberAudienceIds(db: DbOrTx, subscriberId: number): Promise<number[]> {
  const rows = await db
    .select({ id: subscriberAudiences.audienceId })
    .from(subscriberAudiences)
    .where(eq(subscriberAudiences.subscriberId, subscriberId))
    .orderBy(asc(subscriberAudiences.audienceId));
  return rows.map((r) => r.id);
}

/** What a subscriber may hear about: the public's, plus the audiences they subscribed as a member of. */
export async function subscriberVisibility(db: DbOrTx, subscriberId: number): Promise<Visibility> {
  return loadVisibility(db, audienceViewer(await subscriberAudienceIds(db, subscriberId)));
}
