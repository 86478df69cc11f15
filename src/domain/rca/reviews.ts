// Internal post-incident reviews: what the admin records (RCA-GUIDE.md §2) and the view every
// review page, the reduction, the lint and the workflow work from.
import { and, asc, desc, eq, inArray, lt } from 'drizzle-orm';
import { z } from 'zod';
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
} from '../../../db/schema.ts';
import type { Db, DbOrTx } from '../../db/client.ts';
import { recordAudit } from '../audit.ts';
import { ConflictError, InputError, NotFoundError, oneOf, parseInput } from '../errors.ts';
import { idSchema, timeInput } from '../input.ts';
import { loadIncidentViews, type Author, type IncidentView } from '../incidents.ts';
import { statusHistorySince } from '../public-page.ts';
import { worstComponentState, type ComponentState } from '../status.ts';
import { effectiveDeadlines, latestResolution, type Deadlines } from './deadlines.ts';
import { latestContent } from './postmortems.ts';
import { computeMetrics, momentOrderProblems, MOMENTS, type KeyMoments, type ReviewMetrics } from './metrics.ts';
import { monthBounds, slaImpact, type SlaImpact } from './sla.ts';
import { toDraft, type Draft } from './sections.ts';
import { optionalHttpUrlSchema } from '../urls.ts';
import {
  ACTION_CATEGORIES,
  ACTION_PRIORITIES,
  ACTION_STATUSES,
  DETECTED_BY,
  EFFECTS,
  FACTOR_KINDS,
  OPEN_ACTION_STATUSES,
  SEVERITIES,
  TIMELINE_KINDS,
  type ActionCategory,
  type ActionPriority,
  type ActionStatus,
  type DetectedBy,
  type Effect,
  type FactorKind,
  type ReviewState,
  type Severity,
  type TimelineKind,
} from './vocabulary.ts';

export type ReviewRow = typeof reviews.$inferSelect;
export type TimelineEntry = Omit<typeof reviewTimeline.$inferSelect, 'kind' | 'effect'> & { kind: TimelineKind; effect: Effect };
export type Factor = Omit<typeof reviewFactors.$inferSelect, 'kind'> & { kind: FactorKind };
export type ActionItem = Omit<typeof reviewActions.$inferSelect, 'priority' | 'status' | 'category'> & {
  priority: ActionPriority;
  status: ActionStatus;
  category: ActionCategory;
};
export type ActionChange = typeof reviewActionChanges.$inferSelect;
export type Activity = typeof reviewActivity.$inferSelect;
export type RevisionMeta = Omit<typeof postmortemRevisions.$inferSelect, 'content' | 'sources'>;

export interface AffectedComponentSummary {
  id: number;
  name: string;
  /** The worst state the incidents put it in. */
  worst: ComponentState;
}

export interface ReviewView extends Omit<ReviewRow, 'severity' | 'state' | 'detectedBy' | 'fiveWhys' | 'draft' | 'draftSources'> {
  severity: Severity;
  state: ReviewState;
  detectedBy: DetectedBy;
  fiveWhys: string[];
  draft: Draft;
  draftSources: unknown;
  incidents: IncidentView[];
  owner: { id: number; name: string } | null;
  authors: { id: number; name: string }[];
  approver: { id: number; name: string } | null;
  timeline: TimelineEntry[];
  factors: Factor[];
  actions: ActionItem[];
  actionChanges: ActionChange[];
  activity: Activity[];
  revisions: RevisionMeta[];
  moments: KeyMoments;
  metrics: ReviewMetrics;
  /** When the first status-page update of the covered incidents went out. */
  firstPublicUpdateAt: number | null;
  affected: AffectedComponentSummary[];
  sla: SlaImpact[];
  deadlines: Deadlines;
}

// ---------------------------------------------------------------- input

const text = (max: number) => z.string().trim().max(max, `must be at most ${max.toLocaleString('en')} characters`);
const requiredText = (max: number, hint = 'is required') => text(max).min(1, hint);
const optionalTime = z.union([z.literal('').transform(() => null), z.null(), timeInput()]).default(null);
const requiredTime = timeInput();
const idList = z.array(idSchema('must be incident ids')).default([]);
const checkbox = z.boolean().default(false);

export const requestReviewSchema = z.object({
  title: requiredText(200, 'is required: name the review (internal)'),
  severity: oneOf(SEVERITIES),
  incidentIds: idList.refine((ids) => ids.length > 0, 'choose at least one incident the review covers'),
  requestContext: requiredText(5000, 'is required: say which customers asked, or why this needs an RCA'),
  rcaDueAt: optionalTime,
});

export const updateReviewSchema = z.object({
  title: requiredText(200),
  severity: oneOf(SEVERITIES),
  incidentIds: idList.refine((ids) => ids.length > 0, 'choose at least one incident the review covers'),
  customerImpact: text(10_000).default(''),
  customersAffected: checkbox,
  detectedBy: oneOf(DETECTED_BY),
  newFailureMode: checkbox,
  startedAt: optionalTime,
  detectedAt: optionalTime,
  acknowledgedAt: optionalTime,
  mitigatedAt: optionalTime,
  resolvedAt: optionalTime,
  fiveWhys: z.array(text(1000)).max(10, 'at most 10 whys').default([]),
  learnings: text(20_000).default(''),
  rcaDueAt: optionalTime,
});

// Entries customers may see carry their own wording; the internal description never goes out.
const publicFields = { public: checkbox, publicText: text(2000).default('') };
const hasPublicWording = (v: { public: boolean; publicText: string }) => !v.public || v.publicText.length > 0;
const publicWordingIssue = { path: ['publicText'], message: 'is required when the entry is public: write it for customers' };

export const timelineEntrySchema = z
  .object({
    at: requiredTime,
    endAt: optionalTime,
    actor: requiredText(200, 'is required: who or what acted (a person or automation)'),
    kind: oneOf(TIMELINE_KINDS),
    effect: oneOf(EFFECTS),
    description: requiredText(5000),
    ...publicFields,
  })
  .refine(hasPublicWording, publicWordingIssue)
  .refine((v) => v.endAt === null || v.endAt >= v.at, { path: ['endAt'], message: 'must not be before the start' });

export const factorSchema = z
  .object({ kind: oneOf(FACTOR_KINDS), description: requiredText(5000), ...publicFields })
  .refine(hasPublicWording, publicWordingIssue);

export const actionItemSchema = z
  .object({
    title: requiredText(300),
    owner: requiredText(200, 'is required: one person owns each action item'),
    priority: oneOf(ACTION_PRIORITIES),
    dueAt: requiredTime,
    status: oneOf(ACTION_STATUSES).default('open'),
    ticketUrl: optionalHttpUrlSchema,
    category: oneOf(ACTION_CATEGORIES),
    ...publicFields,
  })
  .refine(hasPublicWording, publicWordingIssue);

// ---------------------------------------------------------------- activity

/** The review's own activity log, and the audit log (every review write comes through here). */
export async function logActivity(tx: DbOrTx, reviewId: number, actor: Author, action: string, detail: string, at: number): Promise<void> {
  await tx.insert(reviewActivity).values({ reviewId, at, userId: actor.id, userName: actor.name, action, detail });
  await recordAudit(tx, { action: `review.${action.replace(/\s+/g, '_')}`, subjectType: 'review', subjectId: reviewId, after: detail ? { detail } : undefined }, at);
}

async function touch(tx: DbOrTx, reviewId: number, now: number): Promise<void> {
  await tx.update(reviews).set({ updatedAt: now }).where(eq(reviews.id, reviewId));
}

async function assertIncidentsExist(tx: DbOrTx, ids: number[]): Promise<void> {
  const found = await tx.select({ id: incidents.id }).from(incidents).where(inArray(incidents.id, ids));
  const missing = ids.filter((id) => !found.some((f) => f.id === id));
  if (missing.length) throw new NotFoundError('incident', missing);
}

async function setIncidents(tx: DbOrTx, reviewId: number, ids: number[]): Promise<void> {
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

// ---------------------------------------------------------------- writes

/** Opens a review. Key moments start from the incidents' record; the owner is assigned next. */
export async function requestReview(db: Db, input: unknown, actor: Author, now = Date.now()): Promise<ReviewView> {
  const data = parseInput(requestReviewSchema, input);
  return db.transaction(async (tx) => {
    await assertIncidentsExist(tx, data.incidentIds);
    const covered = await tx.select().from(incidents).where(inArray(incidents.id, data.incidentIds));
    const started = Math.min(...covered.map((i) => i.startedAt));
    const resolved = latestResolution(covered);
    const [row] = await tx
      .insert(reviews)
      .values({
        title: data.title,
        severity: data.severity,
        state: 'requested',
        requestContext: data.requestContext,
        startedAt: started,
        resolvedAt: resolved,
        rcaDueAt: data.rcaDueAt,
        createdBy: actor.id,
        createdAt: now,
        updatedAt: now,
      })
      .returning();
    await setIncidents(tx, row.id, data.incidentIds);
    await logActivity(tx, row.id, actor, 'requested', data.requestContext, now);
    return loadReview(tx, row.id, now);
  });
}

export async function updateReview(db: Db, id: number, input: unknown, actor: Author, now = Date.now()): Promise<void> {
  const data = parseInput(updateReviewSchema, input);
  const moments = Object.fromEntries(MOMENTS.map((m) => [m, data[m]])) as KeyMoments;
  const problems = momentOrderProblems(moments);
  if (problems.length) throw new InputError(problems.join('; '), problems);
  await db.transaction(async (tx) => {
    await getReviewRow(tx, id);
    await setIncidents(tx, id, data.incidentIds);
    const { incidentIds: _ids, fiveWhys, ...fields } = data;
    await tx
      .update(reviews)
      .set({ ...fields, fiveWhys: JSON.stringify(fiveWhys.filter((w) => w.length > 0)), updatedAt: now })
      .where(eq(reviews.id, id));
    await logActivity(tx, id, actor, 'edited review', '', now);
  });
}

type ChildTable = typeof reviewTimeline | typeof reviewFactors | typeof reviewActions;

const CHILD_NAMES = new Map<ChildTable, string>([
  [reviewTimeline, 'timeline entry'],
  [reviewFactors, 'contributing factor'],
  [reviewActions, 'action item'],
]);

async function assertChild(tx: DbOrTx, table: ChildTable, reviewId: number, childId: number): Promise<void> {
  const [row] = await tx.select({ id: table.id }).from(table).where(and(eq(table.id, childId), eq(table.reviewId, reviewId)));
  if (!row) throw new NotFoundError(CHILD_NAMES.get(table) as NotFoundError['entity'], childId, `No ${CHILD_NAMES.get(table)} with id ${childId} in review ${reviewId}.`);
}

/** Adds (childId null) or replaces a timeline entry. */
export async function saveTimelineEntry(db: Db, reviewId: number, childId: number | null, input: unknown, actor: Author, now = Date.now()): Promise<void> {
  const data = parseInput(timelineEntrySchema, input);
  await db.transaction(async (tx) => {
    await getReviewRow(tx, reviewId);
    if (childId === null) await tx.insert(reviewTimeline).values({ ...data, reviewId });
    else {
      await assertChild(tx, reviewTimeline, reviewId, childId);
      await tx.update(reviewTimeline).set(data).where(eq(reviewTimeline.id, childId));
    }
    await touch(tx, reviewId, now);
    await logActivity(tx, reviewId, actor, childId === null ? 'added timeline entry' : 'edited timeline entry', '', now);
  });
}

export async function saveFactor(db: Db, reviewId: number, childId: number | null, input: unknown, actor: Author, now = Date.now()): Promise<void> {
  const data = parseInput(factorSchema, input);
  await db.transaction(async (tx) => {
    await getReviewRow(tx, reviewId);
    if (childId === null) await tx.insert(reviewFactors).values({ ...data, reviewId });
    else {
      await assertChild(tx, reviewFactors, reviewId, childId);
      await tx.update(reviewFactors).set(data).where(eq(reviewFactors.id, childId));
    }
    await touch(tx, reviewId, now);
    await logActivity(tx, reviewId, actor, childId === null ? 'added contributing factor' : 'edited contributing factor', '', now);
  });
}

export async function deleteChild(db: Db, reviewId: number, kind: 'timeline' | 'factor' | 'action', childId: number, actor: Author, now = Date.now()): Promise<void> {
  const table = { timeline: reviewTimeline, factor: reviewFactors, action: reviewActions }[kind];
  await db.transaction(async (tx) => {
    await assertChild(tx, table, reviewId, childId);
    if (kind === 'action') {
      // A published promise is never silently withdrawn: it can be dropped, visibly, instead.
      const published = await latestContent(tx, reviewId);
      if (published?.content.commitments.some((c) => c.actionId === childId)) {
        throw new ConflictError('This action item is a published commitment. Set its status to "Dropped" instead, so customers see what happened to it.');
      }
    }
    await tx.delete(table).where(eq(table.id, childId));
    await touch(tx, reviewId, now);
    await logActivity(tx, reviewId, actor, `deleted ${CHILD_NAMES.get(table)}`, `#${childId}`, now);
  });
}

// ---------------------------------------------------------------- reads

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
        worst.set(a.componentId, { id: a.componentId, name: a.name, worst: worstComponentState([a.newStatus, ...(seen ? [seen.worst] : [])]) });
      }
    }
  }
  return [...worst.values()].sort((a, b) => a.name.localeCompare(b.name));
}

export async function loadReview(tx: DbOrTx, id: number, now = Date.now()): Promise<ReviewView> {
  const row = await getReviewRow(tx, id);
  const incidentIds = (await tx.select({ id: reviewIncidents.incidentId }).from(reviewIncidents).where(eq(reviewIncidents.reviewId, id))).map((r) => r.id);
  const incidentRows = incidentIds.length ? await tx.select().from(incidents).where(inArray(incidents.id, incidentIds)).orderBy(asc(incidents.startedAt)) : [];
  const [views, timeline, factors, actions, authorRows, activity, revisions] = await Promise.all([
    loadIncidentViews(tx, incidentRows),
    tx.select().from(reviewTimeline).where(eq(reviewTimeline.reviewId, id)).orderBy(asc(reviewTimeline.at), asc(reviewTimeline.id)),
    tx.select().from(reviewFactors).where(eq(reviewFactors.reviewId, id)).orderBy(asc(reviewFactors.id)),
    tx.select().from(reviewActions).where(eq(reviewActions.reviewId, id)).orderBy(asc(reviewActions.dueAt), asc(reviewActions.id)),
    tx.select({ id: users.id, name: users.name }).from(reviewAuthors).innerJoin(users, eq(users.id, reviewAuthors.userId)).where(eq(reviewAuthors.reviewId, id)),
    tx.select().from(reviewActivity).where(eq(reviewActivity.reviewId, id)).orderBy(desc(reviewActivity.at), desc(reviewActivity.id)),
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
    ? await tx.select().from(reviewActionChanges).where(inArray(reviewActionChanges.actionId, actions.map((a) => a.id))).orderBy(desc(reviewActionChanges.at))
    : [];
  const updateTimes = views.flatMap((v) => v.updates.map((u) => u.createdAt));
  const firstPublicUpdateAt = updateTimes.length ? Math.min(...updateTimes) : null;
  const moments = Object.fromEntries(MOMENTS.map((m) => [m, row[m]])) as KeyMoments;
  // Until the review records its own, the incidents' resolution starts the RCA clock.
  const resolvedAt = row.resolvedAt ?? latestResolution(incidentRows);
  const affected = affectedOf(views);
  const sla = await loadSlaImpact(tx, affected, row.startedAt ?? incidentRows[0]?.startedAt ?? null, now);
  const state = row.state as ReviewState;
  const severity = row.severity as Severity;
  return {
    ...row,
    severity,
    state,
    detectedBy: row.detectedBy as DetectedBy,
    fiveWhys: JSON.parse(row.fiveWhys) as string[],
    draft: toDraft(JSON.parse(row.draft)),
    draftSources: JSON.parse(row.draftSources),
    incidents: views,
    owner: await userName(tx, row.ownerId),
    authors: authorRows,
    approver: await userName(tx, row.approvedBy),
    timeline: timeline as TimelineEntry[],
    factors: factors as Factor[],
    actions: actions as ActionItem[],
    actionChanges,
    activity,
    revisions,
    moments,
    metrics: computeMetrics(moments, firstPublicUpdateAt),
    firstPublicUpdateAt,
    affected,
    sla,
    deadlines: effectiveDeadlines({ ...row, resolvedAt, severity, state }, sla.some((s) => s.breached), now),
  };
}

async function loadSlaImpact(tx: DbOrTx, affected: AffectedComponentSummary[], startedAt: number | null, now: number): Promise<SlaImpact[]> {
  if (startedAt === null || affected.length === 0) return [];
  const rows = await tx.select({ id: components.id, name: components.name, slaTarget: components.slaTarget }).from(components).where(inArray(components.id, affected.map((a) => a.id)));
  const history = await statusHistorySince(tx, monthBounds(startedAt).from);
  return rows.map((c) => slaImpact(c, history.get(c.id) ?? [], startedAt, now)).sort((a, b) => a.name.localeCompare(b.name));
}

export interface ReviewListItem {
  id: number;
  title: string;
  severity: Severity;
  state: ReviewState;
  ownerName: string | null;
  slug: string | null;
  deadlines: Deadlines;
  updatedAt: number;
}

export async function listReviews(db: DbOrTx, now = Date.now()): Promise<ReviewListItem[]> {
  const rows = await db
    .select({ review: reviews, ownerName: users.name })
    .from(reviews)
    .leftJoin(users, eq(users.id, reviews.ownerId))
    .orderBy(desc(reviews.updatedAt));
  return rows.map(({ review, ownerName }) => {
    const severity = review.severity as Severity;
    const state = review.state as ReviewState;
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

export interface OverdueAction {
  id: number;
  reviewId: number;
  reviewTitle: string;
  title: string;
  owner: string;
  dueAt: number;
  public: boolean;
}

/** Open action items past their due date, oldest promise first. */
export async function listOverdueActions(db: DbOrTx, now = Date.now()): Promise<OverdueAction[]> {
  const rows = await db
    .select({ action: reviewActions, reviewTitle: reviews.title })
    .from(reviewActions)
    .innerJoin(reviews, eq(reviews.id, reviewActions.reviewId))
    .where(and(lt(reviewActions.dueAt, now), inArray(reviewActions.status, OPEN_ACTION_STATUSES)))
    .orderBy(asc(reviewActions.dueAt));
  return rows.map(({ action, reviewTitle }) => ({ id: action.id, reviewId: action.reviewId, reviewTitle, title: action.title, owner: action.owner, dueAt: action.dueAt, public: action.public }));
}


/** Reviews covering an incident (admin incident page). */
export async function reviewsCovering(db: DbOrTx, incidentId: number): Promise<{ id: number; title: string; state: ReviewState }[]> {
  const rows = await db
    .select({ id: reviews.id, title: reviews.title, state: reviews.state })
    .from(reviewIncidents)
    .innerJoin(reviews, eq(reviews.id, reviewIncidents.reviewId))
    .where(eq(reviewIncidents.incidentId, incidentId));
  return rows.map((r) => ({ ...r, state: r.state as ReviewState }));
}
