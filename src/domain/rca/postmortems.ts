// Published post-mortems: the public snapshot taken at each publication, and the public reads.
// Public pages read only postmortem_revisions.content and the live status of the commitments
// listed in it, never the review itself: that is what keeps internal material off the site.
import { and, desc, eq, inArray, isNotNull } from 'drizzle-orm';
import { incidents, postmortemRevisions, reviewActions, reviewIncidents, reviews } from '#db/schema/index.ts';
import type { DbOrTx } from '#db/client.ts';
import type { ComponentState } from '../status.ts';
import type { Phase } from './metrics.ts';
import type { ReviewView } from './review-types.ts';
import { effectiveDeadlines, latestResolution } from './deadlines.ts';
import type { Draft } from './sections.ts';
import { isOpenAction, type ActionCategory, type ActionStatus, type Effect, type TimelineKind } from './vocabulary.ts';
import { hidesAnything, type Visibility } from '../audiences/visibility.ts';
import { postmortemComponentsFor } from '../audiences/visible-views.ts';
import { reviewsSeen } from '../audiences/visible-postmortems.ts';
import { inIds } from '../../db/id-list.ts';

export interface PublicTimelineEntry {
  at: number;
  endAt: number | null;
  kind: TimelineKind;
  effect: Effect;
  text: string;
}

export interface PostmortemContent extends Draft {
  startedAt: number | null;
  resolvedAt: number | null;
  incidents: { id: number; title: string }[];
  components: { id: number; name: string; worst: ComponentState }[];
  timeline: PublicTimelineEntry[];
  phases: Phase[];
  commitments: { actionId: number; text: string; category: ActionCategory; dueAt: number }[];
}

/** The public snapshot: the approved text and the public parts of the record, nothing else. */
export function publicContent(view: ReviewView): PostmortemContent {
  return {
    ...view.draft,
    startedAt: view.moments.startedAt,
    resolvedAt: view.moments.resolvedAt,
    incidents: view.incidents.map((i) => ({ id: i.id, title: i.title })),
    components: view.affected.map((c) => ({ id: c.id, name: c.name, worst: c.worst })),
    timeline: view.timeline
      .filter((e) => e.public)
      .map((e) => ({ at: e.at, endAt: e.endAt, kind: e.kind, effect: e.effect, text: e.publicText })),
    phases: view.metrics.phases,
    commitments: view.actions
      .filter((a) => a.public && a.publicText)
      .map((a) => ({ actionId: a.id, text: a.publicText, category: a.category, dueAt: a.dueAt })),
  };
}

export interface Commitment {
  text: string;
  category: ActionCategory;
  status: ActionStatus;
  dueAt: number;
  /** The due date promised at publication, when it has moved since. */
  originalDueAt: number | null;
  completedAt: number | null;
  overdue: boolean;
}

export interface CommitmentTally {
  done: number;
  dropped: number;
  total: number;
  overdue: number;
}

export interface PostmortemView {
  slug: string;
  content: PostmortemContent;
  firstPublishedAt: number;
  revisions: { revision: number; publishedAt: number; changeNote: string; minor: boolean }[];
  commitments: Commitment[];
  tally: CommitmentTally;
}

export function tallyCommitments(commitments: Commitment[]): CommitmentTally {
  return {
    done: commitments.filter((c) => c.status === 'done').length,
    dropped: commitments.filter((c) => c.status === 'wont_do').length,
    total: commitments.length,
    overdue: commitments.filter((c) => c.overdue).length,
  };
}

async function liveCommitments(db: DbOrTx, content: PostmortemContent, now: number): Promise<Commitment[]> {
  const ids = content.commitments.map((c) => c.actionId);
  const rows = ids.length
    ? await db
        .select({
          id: reviewActions.id,
          status: reviewActions.status,
          dueAt: reviewActions.dueAt,
          completedAt: reviewActions.completedAt,
        })
        .from(reviewActions)
        .where(inArray(reviewActions.id, ids))
    : [];
  const live = new Map(rows.map((r) => [r.id, r]));
  return content.commitments.flatMap((c) => {
    const row = live.get(c.actionId);
    if (!row) return [];
    const status = row.status;
    return [
      {
        text: c.text,
        category: c.category,
        status,
        dueAt: row.dueAt,
        originalDueAt: row.dueAt !== c.dueAt ? c.dueAt : null,
        completedAt: row.completedAt,
        overdue: isOpenAction(status) && row.dueAt < now,
      },
    ];
  });
}

type RevisionRow = typeof postmortemRevisions.$inferSelect;

async function revisionsOf(db: DbOrTx, reviewIds: number[]): Promise<Map<number, RevisionRow[]>> {
  const rows = reviewIds.length
    ? await db
        .select()
        .from(postmortemRevisions)
        .where(inArray(postmortemRevisions.reviewId, reviewIds))
        .orderBy(desc(postmortemRevisions.revision))
    : [];
  const byReview = new Map<number, RevisionRow[]>();
  for (const r of rows) byReview.set(r.reviewId, [...(byReview.get(r.reviewId) ?? []), r]);
  return byReview;
}

async function toView(
  db: DbOrTx,
  v: Visibility,
  slug: string,
  revisions: RevisionRow[],
  now: number,
): Promise<PostmortemView> {
  const stored = JSON.parse(revisions[0].content) as PostmortemContent;
  // A covered incident may touch components this reader does not see: they are left out.
  const content = hidesAnything(v) ? { ...stored, components: postmortemComponentsFor(v, stored.components) } : stored;
  const commitments = await liveCommitments(db, content, now);
  return {
    slug,
    content,
    firstPublishedAt: revisions[revisions.length - 1].publishedAt,
    revisions: revisions.map((r) => ({
      revision: r.revision,
      publishedAt: r.publishedAt,
      changeNote: r.changeNote,
      minor: r.minor,
    })),
    commitments,
    tally: tallyCommitments(commitments),
  };
}

/** The incidents each review's latest published snapshot names (for reviewsSeen). */
function namedIncidents(revisions: Map<number, RevisionRow[]>): Map<number, number[]> {
  return new Map(
    [...revisions].map(([id, revs]) => [
      id,
      (JSON.parse(revs[0].content) as Pick<PostmortemContent, 'incidents'>).incidents.map((i) => i.id),
    ]),
  );
}

/** The post-mortem at `slug` as `v`'s reader sees it; null when there is none or they may not see it. */
export async function getPostmortem(
  db: DbOrTx,
  slug: string,
  v: Visibility,
  now = Date.now(),
): Promise<PostmortemView | null> {
  const [review] = await db.select({ id: reviews.id }).from(reviews).where(eq(reviews.slug, slug));
  if (!review) return null;
  const byReview = await revisionsOf(db, [review.id]);
  const revisions = byReview.get(review.id);
  if (!revisions) return null;
  if (!(await reviewsSeen(db, v, [review.id], namedIncidents(byReview))).has(review.id)) return null;
  return toView(db, v, slug, revisions, now);
}

/** Every published post-mortem `v`'s reader may see, newest incident first. */
export async function listPostmortems(db: DbOrTx, v: Visibility, now = Date.now()): Promise<PostmortemView[]> {
  const published = await db
    .select({ id: reviews.id, slug: reviews.slug })
    .from(reviews)
    .where(isNotNull(reviews.slug));
  const revisions = await revisionsOf(
    db,
    published.map((r) => r.id),
  );
  const seen = await reviewsSeen(
    db,
    v,
    published.filter((r) => revisions.has(r.id)).map((r) => r.id),
    namedIncidents(revisions),
  );
  const views = await Promise.all(
    published.flatMap((r) => (seen.has(r.id) ? [toView(db, v, r.slug!, revisions.get(r.id)!, now)] : [])),
  );
  return views.sort(
    (a, b) => (b.content.startedAt ?? b.firstPublishedAt) - (a.content.startedAt ?? a.firstPublishedAt),
  );
}

export type IncidentRcaStatus =
  | { kind: 'published'; slug: string; title: string; tally: CommitmentTally; commitments: Commitment[] }
  | { kind: 'expected'; dueAt: number; overdue: boolean };

/** What the incident page says about its RCA: a link and the commitments, or when it is expected. */
export async function rcaStatusForIncident(
  db: DbOrTx,
  incidentId: number,
  v: Visibility,
  now = Date.now(),
): Promise<IncidentRcaStatus[]> {
  const rows = await db
    .select({
      id: reviews.id,
      slug: reviews.slug,
      severity: reviews.severity,
      state: reviews.state,
      rcaDueAt: reviews.rcaDueAt,
      resolvedAt: reviews.resolvedAt,
      newFailureMode: reviews.newFailureMode,
      publishedAt: reviews.publishedAt,
    })
    .from(reviewIncidents)
    .innerJoin(reviews, eq(reviews.id, reviewIncidents.reviewId))
    .where(eq(reviewIncidents.incidentId, incidentId));
  const revisions = await revisionsOf(
    db,
    rows.map((r) => r.id),
  );
  const seen = await reviewsSeen(
    db,
    v,
    rows.map((r) => r.id),
    namedIncidents(revisions),
  );
  const result: IncidentRcaStatus[] = [];
  for (const row of rows) {
    // One that also covers an incident this reader does not see is not theirs to read or expect.
    if (!seen.has(row.id)) continue;
    const revs = revisions.get(row.id);
    if (row.slug && revs) {
      const view = await toView(db, v, row.slug, revs, now);
      result.push({
        kind: 'published',
        slug: row.slug,
        title: view.content.title,
        tally: view.tally,
        commitments: view.commitments,
      });
      continue;
    }
    const covered = await db
      .select({ resolvedAt: incidents.resolvedAt })
      .from(reviewIncidents)
      .innerJoin(incidents, eq(incidents.id, reviewIncidents.incidentId))
      .where(eq(reviewIncidents.reviewId, row.id));
    const deadlines = effectiveDeadlines(
      { ...row, resolvedAt: row.resolvedAt ?? latestResolution(covered), severity: row.severity, state: row.state },
      false,
      now,
    );
    if (deadlines.publishDueAt !== null)
      result.push({ kind: 'expected', dueAt: deadlines.publishDueAt, overdue: deadlines.publishOverdue });
  }
  return result;
}

/** The latest published snapshot of a review, if it was ever published. */
export async function latestContent(
  db: DbOrTx,
  reviewId: number,
): Promise<{ slug: string; content: PostmortemContent } | null> {
  const [row] = await db
    .select({ content: postmortemRevisions.content, slug: reviews.slug })
    .from(postmortemRevisions)
    .innerJoin(reviews, eq(reviews.id, postmortemRevisions.reviewId))
    .where(eq(postmortemRevisions.reviewId, reviewId))
    .orderBy(desc(postmortemRevisions.revision))
    .limit(1);
  return row && row.slug ? { slug: row.slug, content: JSON.parse(row.content) as PostmortemContent } : null;
}

/** The published post-mortem of each incident that has one (that `v`'s reader may see), for links. */
export async function postmortemSlugsFor(
  db: DbOrTx,
  incidentIds: number[],
  v: Visibility,
): Promise<Map<number, string>> {
  if (incidentIds.length === 0) return new Map();
  const rows = await db
    .select({ incidentId: reviewIncidents.incidentId, reviewId: reviews.id, slug: reviews.slug })
    .from(reviewIncidents)
    .innerJoin(reviews, eq(reviews.id, reviewIncidents.reviewId))
    .where(and(inIds(reviewIncidents.incidentId, incidentIds), isNotNull(reviews.slug)));
  const seen = await reviewsSeen(db, v, [...new Set(rows.map((r) => r.reviewId))]);
  return new Map(rows.filter((r) => seen.has(r.reviewId)).map((r) => [r.incidentId, r.slug!]));
}
