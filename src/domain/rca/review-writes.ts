// Writing an internal review: request it, edit its record, and add, change or delete its timeline
// entries and contributing factors. Each write is one transaction with its activity and audit.
import { and, eq, inArray } from 'drizzle-orm';
import { incidents, reviewActions, reviewFactors, reviews, reviewTimeline } from '#db/schema/index.ts';
import type { Db, DbOrTx } from '#db/client.ts';
import { ConflictError, InputError, NotFoundError, parseInput, type NotFoundEntity } from '../errors.ts';
import { type Author } from '../incidents.ts';
import { latestResolution } from './deadlines.ts';
import { latestContent } from './postmortems.ts';
import { momentOrderProblems, MOMENTS, type KeyMoments } from './metrics.ts';
import type { ReviewView } from './review-types.ts';
import { requestReviewSchema, updateReviewSchema, timelineEntrySchema, factorSchema } from './review-schemas.ts';
import { logActivity, touch, assertIncidentsExist, setIncidents, getReviewRow } from './review-activity.ts';
import { loadReview } from './review-reads.ts';

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

const CHILD_NAMES = new Map<ChildTable, NotFoundEntity>([
  [reviewTimeline, 'timeline entry'],
  [reviewFactors, 'contributing factor'],
  [reviewActions, 'action item'],
]);

async function assertChild(tx: DbOrTx, table: ChildTable, reviewId: number, childId: number): Promise<void> {
  const [row] = await tx
    .select({ id: table.id })
    .from(table)
    .where(and(eq(table.id, childId), eq(table.reviewId, reviewId)));
  if (!row)
    throw new NotFoundError(
      CHILD_NAMES.get(table)!,
      childId,
      `No ${CHILD_NAMES.get(table)} with id ${childId} in review ${reviewId}.`,
    );
}

/** Adds (childId null) or replaces a timeline entry. */
export async function saveTimelineEntry(
  db: Db,
  reviewId: number,
  childId: number | null,
  input: unknown,
  actor: Author,
  now = Date.now(),
): Promise<void> {
  const data = parseInput(timelineEntrySchema, input);
  await db.transaction(async (tx) => {
    await getReviewRow(tx, reviewId);
    if (childId === null) await tx.insert(reviewTimeline).values({ ...data, reviewId });
    else {
      await assertChild(tx, reviewTimeline, reviewId, childId);
      await tx.update(reviewTimeline).set(data).where(eq(reviewTimeline.id, childId));
    }
    await touch(tx, reviewId, now);
    await logActivity(
      tx,
      reviewId,
      actor,
      childId === null ? 'added timeline entry' : 'edited timeline entry',
      '',
      now,
    );
  });
}

export async function saveFactor(
  db: Db,
  reviewId: number,
  childId: number | null,
  input: unknown,
  actor: Author,
  now = Date.now(),
): Promise<void> {
  const data = parseInput(factorSchema, input);
  await db.transaction(async (tx) => {
    await getReviewRow(tx, reviewId);
    if (childId === null) await tx.insert(reviewFactors).values({ ...data, reviewId });
    else {
      await assertChild(tx, reviewFactors, reviewId, childId);
      await tx.update(reviewFactors).set(data).where(eq(reviewFactors.id, childId));
    }
    await touch(tx, reviewId, now);
    await logActivity(
      tx,
      reviewId,
      actor,
      childId === null ? 'added contributing factor' : 'edited contributing factor',
      '',
      now,
    );
  });
}

export async function deleteChild(
  db: Db,
  reviewId: number,
  kind: 'timeline' | 'factor' | 'action',
  childId: number,
  actor: Author,
  now = Date.now(),
): Promise<void> {
  const table = { timeline: reviewTimeline, factor: reviewFactors, action: reviewActions }[kind];
  await db.transaction(async (tx) => {
    await assertChild(tx, table, reviewId, childId);
    if (kind === 'action') {
      // A published promise is never silently withdrawn: it can be dropped, visibly, instead.
      const published = await latestContent(tx, reviewId);
      if (published?.content.commitments.some((c) => c.actionId === childId)) {
        throw new ConflictError(
          'This action item is a published commitment. Set its status to "Dropped" instead, so customers see what happened to it.',
        );
      }
    }
    await tx.delete(table).where(eq(table.id, childId));
    await touch(tx, reviewId, now);
    await logActivity(tx, reviewId, actor, `deleted ${CHILD_NAMES.get(table)}`, `#${childId}`, now);
  });
}
