// Which published post-mortems a reader may see: those whose every covered incident they see
// (postmortemVisible in visibility.ts). Covered means linked to the review now, or named in the
// published snapshot: a link removed after publication must not open the text to the public.
import { and, inArray } from 'drizzle-orm';
import { incidents, reviewIncidents } from '../../db/schema/index.ts';
import type { DbOrTx } from '../../db/client.ts';
import { hidesAnything, postmortemVisible, visibleIncident, type Visibility } from './visibility.ts';

/**
 * Of the reviews `reviewIds`, those this reader may read. `named` adds incidents each review's
 * published snapshot names. Without audiences: all of them, with no query.
 */
export async function reviewsSeen(
  db: DbOrTx,
  v: Visibility,
  reviewIds: readonly number[],
  named: ReadonlyMap<number, readonly number[]> = new Map(),
): Promise<Set<number>> {
  if (!hidesAnything(v) || reviewIds.length === 0) return new Set(reviewIds);
  const links = await db
    .select({ reviewId: reviewIncidents.reviewId, incidentId: reviewIncidents.incidentId })
    .from(reviewIncidents)
    .where(inArray(reviewIncidents.reviewId, [...reviewIds]));
  const covered = new Map<number, number[]>(reviewIds.map((id) => [id, [...(named.get(id) ?? [])]]));
  for (const l of links) covered.get(l.reviewId)!.push(l.incidentId);
  const all = [...new Set([...covered.values()].flat())];
  const seen = all.length
    ? await db
        .select({ id: incidents.id })
        .from(incidents)
        .where(and(inArray(incidents.id, all), visibleIncident(v)))
    : [];
  const seenIds = new Set(seen.map((r) => r.id));
  return new Set(reviewIds.filter((id) => postmortemVisible(covered.get(id)!, seenIds)));
}
