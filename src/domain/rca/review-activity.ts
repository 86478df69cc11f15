// Steps every review write shares: the review's own activity log (with the audit log), its
// updated time, and the incidents it covers.
import { eq, inArray } from 'drizzle-orm';
import { incidents, reviewActivity, reviewIncidents, reviews } from '#db/schema/index.ts';
import type { DbOrTx } from '#db/client.ts';
import { recordAudit } from '../audit.ts';
import { NotFoundError } from '../errors.ts';
import { type Author } from '../incidents.ts';
import type { ReviewRow } from './review-types.ts';

/** The review's own activity log, and the audit log (every review write comes through here). */
export async function logActivity(
  tx: DbOrTx,
  reviewId: number,
  actor: Author,
  action: string,
  detail: string,
  at: number,
): Promise<void> {
  await tx.insert(reviewActivity).values({ reviewId, at, userId: actor.id, userName: actor.name, action, detail });
  await recordAudit(
    tx,
    {
      action: `review.${action.replace(/\s+/g, '_')}`,
      subjectType: 'review',
      subjectId: reviewId,
      after: detail ? { detail } : undefined,
    },
    at,
  );
}

export async function touch(tx: DbOrTx, reviewId: number, now: number): Promise<void> {
  await tx.update(reviews).set({ updatedAt: now }).where(eq(reviews.id, reviewId));
}

export async function assertIncidentsExist(tx: DbOrTx, ids: number[]): Promise<void> {
  const found = await tx.select({ id: incidents.id }).from(incidents).where(inArray(incidents.id, ids));
  const missing = ids.filter((id) => !found.some((f) => f.id === id));
  if (missing.length) throw new NotFoundError('incident', missing);
}

export async function setIncidents(tx: DbOrTx, reviewId: number, ids: number[]): Promise<void> {
  const unique = [...new Set(ids)];
  await assertIncidentsExist(tx, unique);
  await tx.delete(reviewIncidents).where(eq(reviewIncidents.reviewId, reviewId));
  await tx.insert(reviewIncidents).values(unique.map((incidentId) => ({ reviewId, incidentId })));
}

export async function getReviewRow(tx: DbOrTx, id: number): Promise<ReviewRow> {
  const [row] = await tx.select().from(reviews).where(eq(reviews.id, id));
  if (!row) throw new NotFoundError('review', id);
  return row;
}
