// Reading reviews: the whole view of one (with its computed figures, SLA impact and deadlines),
// the list, overdue action items, and which reviews cover an incident.
import { and, asc, desc, eq, inArray, lt } from 'drizzle-orm';
import {
  components,
  incidents,
  postmortemRevisions,
  reviewActionChanges,
  reviewActions,
  reviewActivity,
  reviewAuthors,
  reviewFactors,
  reviewIncidents,
  reviews,
  reviewTimeline,
  users,
} from '#db/schema/index.ts';
import type { DbOrTx } from '#db/client.ts';
import { loadIncidentViews, type IncidentView } from '../incidents.ts';
import { statusHistorySince } from '../uptime-rollups.ts';
import { worstComponentState } from '../status.ts';
import { effectiveDeadlines, latestResolution } from './deadlines.ts';
import { computeMetrics, MOMENTS, type KeyMoments } from './metrics.ts';
import { monthBounds, slaImpact, type SlaImpact } from './sla.ts';
import { toDraft } from './sections.ts';
import { OPEN_ACTION_STATUSES, type ReviewState } from './vocabulary.ts';
import type {
  TimelineEntry,
  Factor,
  AffectedComponentSummary,
  ReviewView,
  ReviewListItem,
  OverdueAction,
} from './review-types.ts';
import { getReviewRow } from './review-activity.ts';
import { loadGlossary } from './glossary-store.ts';

const userName = async (tx: DbOrTx, id: number | null) => {
  if (id === null) return null;
  const [u] = await tx.select({ id: users.id, name: users.name }).from(users).where(eq(users.id, id));
  return u ?? null;
};

function affectedOf(views: IncidentView[]): AffectedComponentSummary[] {
  const worst = new Map<number, AffectedComponentSummary>();
  for (const incident of views) {
    for (const update of incident.updates) {
      for (const a of update.affected) {
        const seen = worst.get(a.componentId);
        worst.set(a.componentId, {
          id: a.componentId,
          name: a.name,
          worst: worstComponentState([a.newStatus, ...(seen ? [seen.worst] : [])]),
        });
      }
    }
  }
  return [...worst.values()].sort((a, b) => a.name.localeCompare(b.name));
}

export async function loadReview(tx: DbOrTx, id: number, now = Date.now()): Promise<ReviewView> {
  const row = await getReviewRow(tx, id);
  const incidentIds = (
    await tx.select({ id: reviewIncidents.incidentId }).from(reviewIncidents).where(eq(reviewIncidents.reviewId, id))
  ).map((r) => r.id);
  const incidentRows = incidentIds.length
    ? await tx.select().from(incidents).where(inArray(incidents.id, incidentIds)).orderBy(asc(incidents.startedAt))
    : [];
  const [views, timeline, factors, actions, authorRows, activity, revisions] = await Promise.all([
    loadIncidentViews(tx, incidentRows),
    tx
      .select()
      .from(reviewTimeline)
      .where(eq(reviewTimeline.reviewId, id))
      .orderBy(asc(reviewTimeline.at), asc(reviewTimeline.id)),
    tx.select().from(reviewFactors).where(eq(reviewFactors.reviewId, id)).orderBy(asc(reviewFactors.id)),
    tx
      .select()
      .from(reviewActions)
      .where(eq(reviewActions.reviewId, id))
      .orderBy(asc(reviewActions.dueAt), asc(reviewActions.id)),
    tx
      .select({ id: users.id, name: users.name })
      .from(reviewAuthors)
      .innerJoin(users, eq(users.id, reviewAuthors.userId))
      .where(eq(reviewAuthors.reviewId, id)),
    tx
      .select()
      .from(reviewActivity)
      .where(eq(reviewActivity.reviewId, id))
      .orderBy(desc(reviewActivity.at), desc(reviewActivity.id)),
    tx
      .select({
        id: postmortemRevisions.id,
        reviewId: postmortemRevisions.reviewId,
        revision: postmortemRevisions.revision,
        changeNote: postmortemRevisions.changeNote,
        minor: postmortemRevisions.minor,
        acknowledgement: postmortemRevisions.acknowledgement,
        publishedAt: postmortemRevisions.publishedAt,
        publishedBy: postmortemRevisions.publishedBy,
      })
      .from(postmortemRevisions)
      .where(eq(postmortemRevisions.reviewId, id))
      .orderBy(desc(postmortemRevisions.revision)),
  ]);
  const actionChanges = actions.length
    ? await tx
        .select()
        .from(reviewActionChanges)
        .where(
          inArray(
            reviewActionChanges.actionId,
            actions.map((a) => a.id),
          ),
        )
        .orderBy(desc(reviewActionChanges.at))
    : [];
  const updateTimes = views.flatMap((v) => v.updates.map((u) => u.createdAt));
  const firstPublicUpdateAt = updateTimes.length ? Math.min(...updateTimes) : null;
  const moments = Object.fromEntries(MOMENTS.map((m) => [m, row[m]])) as KeyMoments;
  // Until the review records its own, the incidents' resolution starts the RCA clock.
  const resolvedAt = row.resolvedAt ?? latestResolution(incidentRows);
  const affected = affectedOf(views);
  const sla = await loadSlaImpact(tx, affected, row.startedAt ?? incidentRows[0]?.startedAt ?? null, now);
  const glossary = await loadGlossary(tx);
  const state = row.state;
  const severity = row.severity;
  return {
    ...row,
    severity,
    state,
    detectedBy: row.detectedBy,
    glossary,
    fiveWhys: JSON.parse(row.fiveWhys) as string[],
    draft: toDraft(JSON.parse(row.draft)),
    draftSources: JSON.parse(row.draftSources),
    incidents: views,
    owner: await userName(tx, row.ownerId),
    authors: authorRows,
    approver: await userName(tx, row.approvedBy),
    timeline: timeline as TimelineEntry[],
    factors: factors as Factor[],
    actions: actions,
    actionChanges,
    activity,
    revisions,
    moments,
    metrics: computeMetrics(moments, firstPublicUpdateAt),
    firstPublicUpdateAt,
    affected,
    sla,
    deadlines: effectiveDeadlines(
      { ...row, resolvedAt, severity, state },
      sla.some((s) => s.breached),
      now,
    ),
  };
}

async function loadSlaImpact(
  tx: DbOrTx,
  affected: AffectedComponentSummary[],
  startedAt: number | null,
  now: number,
): Promise<SlaImpact[]> {
  if (startedAt === null || affected.length === 0) return [];
  const rows = await tx
    .select({ id: components.id, name: components.name, slaTarget: components.slaTarget })
    .from(components)
    .where(
      inArray(
        components.id,
        affected.map((a) => a.id),
      ),
    );
  const history = await statusHistorySince(tx, monthBounds(startedAt).from);
  return rows
    .map((c) => slaImpact(c, history.get(c.id) ?? [], startedAt, now))
    .sort((a, b) => a.name.localeCompare(b.name));
}

export async function listReviews(db: DbOrTx, now = Date.now()): Promise<ReviewListItem[]> {
  const rows = await db
    .select({ review: reviews, ownerName: users.name })
    .from(reviews)
    .leftJoin(users, eq(users.id, reviews.ownerId))
    .orderBy(desc(reviews.updatedAt));
  return rows.map(({ review, ownerName }) => {
    const severity = review.severity;
    const state = review.state;
    return {
      id: review.id,
      title: review.title,
      severity,
      state,
      ownerName,
      slug: review.slug,
      updatedAt: review.updatedAt,
      // The list skips the SLA computation; the review page accounts for broken SLAs too.
      deadlines: effectiveDeadlines({ ...review, severity, state }, false, now),
    };
  });
}

/** Open action items past their due date, oldest promise first. */
export async function listOverdueActions(db: DbOrTx, now = Date.now()): Promise<OverdueAction[]> {
  const rows = await db
    .select({ action: reviewActions, reviewTitle: reviews.title })
    .from(reviewActions)
    .innerJoin(reviews, eq(reviews.id, reviewActions.reviewId))
    .where(and(lt(reviewActions.dueAt, now), inArray(reviewActions.status, OPEN_ACTION_STATUSES)))
    .orderBy(asc(reviewActions.dueAt));
  return rows.map(({ action, reviewTitle }) => ({
    id: action.id,
    reviewId: action.reviewId,
    reviewTitle,
    title: action.title,
    owner: action.owner,
    dueAt: action.dueAt,
    public: action.public,
  }));
}

/** Reviews covering an incident (admin incident page). */
export async function reviewsCovering(
  db: DbOrTx,
  incidentId: number,
): Promise<{ id: number; title: string; state: ReviewState }[]> {
  const rows = await db
    .select({ id: reviews.id, title: reviews.title, state: reviews.state })
    .from(reviewIncidents)
    .innerJoin(reviews, eq(reviews.id, reviewIncidents.reviewId))
    .where(eq(reviewIncidents.incidentId, incidentId));
  return rows.map((r) => ({ ...r, state: r.state }));
}
