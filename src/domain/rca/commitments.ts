// Action items, and the public promises among them. A published commitment's completion, drop or
// new due date is recorded and told to the subscribers of the components the incident affected.
import { eq, inArray } from 'drizzle-orm';
import { reviewActionChanges, reviewActions } from '#db/schema/index.ts';
import type { Db, DbOrTx } from '#db/client.ts';
import { recordChange } from '../changes.ts';
import { NotFoundError, parseInput } from '../errors.ts';
import type { Author } from '../incidents.ts';
import { pageSnapshot, type CommitmentPayload } from '../notify/events.ts';
import { enqueueForReaders } from '../notify/reader-classes.ts';
import { reviewsSeen } from '../audiences/visible-postmortems.ts';
import { postmortemComponentsFor } from '../audiences/visible-views.ts';
import { latestContent, type PostmortemContent } from './postmortems.ts';
import { actionItemSchema, getReviewRow, logActivity } from './reviews.ts';
import { formatUtcDay } from '../format.ts';
import { ACTION_STATUS_LABELS, isOpenAction, type ActionStatus } from './vocabulary.ts';

type ActionRow = typeof reviewActions.$inferSelect;

/** Adds (childId null) or edits an action item, keeping the history of its status and due date. */
export async function saveActionItem(
  db: Db,
  reviewId: number,
  childId: number | null,
  input: unknown,
  actor: Author,
  now = Date.now(),
): Promise<void> {
  const data = parseInput(actionItemSchema, input);
  await db.transaction(async (tx) => {
    await getReviewRow(tx, reviewId);
    if (childId === null) {
      await tx.insert(reviewActions).values({
        ...data,
        reviewId,
        completedAt: data.status === 'done' ? now : null,
        createdAt: now,
        updatedAt: now,
      });
      await logActivity(tx, reviewId, actor, 'added action item', data.title, now);
      return;
    }
    const [old] = await tx.select().from(reviewActions).where(eq(reviewActions.id, childId));
    if (!old || old.reviewId !== reviewId)
      throw new NotFoundError('action item', childId, `No action item with id ${childId} in review ${reviewId}.`);
    const completedAt = data.status === 'done' ? (old.status === 'done' ? old.completedAt : now) : null;
    await tx
      .update(reviewActions)
      .set({ ...data, completedAt, updatedAt: now })
      .where(eq(reviewActions.id, childId));
    const changes: { field: string; oldValue: string; newValue: string }[] = [];
    if (old.status !== data.status) changes.push({ field: 'status', oldValue: old.status, newValue: data.status });
    if (old.dueAt !== data.dueAt)
      changes.push({ field: 'due', oldValue: String(old.dueAt), newValue: String(data.dueAt) });
    for (const c of changes)
      await tx
        .insert(reviewActionChanges)
        .values({ actionId: childId, ...c, at: now, userId: actor.id, userName: actor.name });
    await logActivity(tx, reviewId, actor, 'edited action item', describeChanges(old, data), now);
    if (changes.length)
      await announceIfPublished(tx, reviewId, old, { status: data.status, dueAt: data.dueAt, completedAt }, now);
  });
}

function describeChanges(old: ActionRow, next: { status: ActionStatus; dueAt: number; title: string }): string {
  const parts = [next.title];
  if (old.status !== next.status)
    parts.push(`${ACTION_STATUS_LABELS[old.status]} → ${ACTION_STATUS_LABELS[next.status]}`);
  if (old.dueAt !== next.dueAt) parts.push(`due ${formatUtcDay(old.dueAt)} → ${formatUtcDay(next.dueAt)}`);
  return parts.join(' — ');
}

/** Completing, dropping or re-dating a published commitment is news for the incident's subscribers. */
async function announceIfPublished(
  tx: DbOrTx,
  reviewId: number,
  old: ActionRow,
  next: { status: ActionStatus; dueAt: number; completedAt: number | null },
  now: number,
): Promise<void> {
  const published = await latestContent(tx, reviewId);
  const promised = published?.content.commitments.find((c) => c.actionId === old.id);
  if (!published || !promised) return;
  // The public tracker shows the live status: every instance's cache must drop the old page.
  await recordChange(tx, 'postmortem', `postmortem:${reviewId}`);
  const newsworthy = old.dueAt !== next.dueAt || (old.status !== next.status && !isOpenAction(next.status));
  if (!newsworthy) return;
  const counts = await commitmentCounts(tx, published.content);
  const named = new Map([[reviewId, published.content.incidents.map((i) => i.id)]]);
  await enqueueForReaders(
    tx,
    async (v) => {
      // Only those who see every incident the post-mortem covers hear of it.
      if (!(await reviewsSeen(tx, v, [reviewId], named)).has(reviewId)) return null;
      const payload: CommitmentPayload = {
        page: await pageSnapshot(tx, v),
        postmortem: { slug: published.slug, title: published.content.title },
        commitment: {
          id: old.id,
          text: promised.text,
          category: promised.category,
          status: next.status,
          previousStatus: old.status,
          dueAt: next.dueAt,
          previousDueAt: old.dueAt,
          completedAt: next.completedAt,
        },
        commitments: counts,
      };
      return {
        kind: 'commitment.updated',
        incidentId: published.content.incidents[0]?.id ?? null,
        componentIds: postmortemComponentsFor(v, published.content.components).map((c) => c.id),
        payload,
      };
    },
    now,
  );
}

async function commitmentCounts(tx: DbOrTx, content: PostmortemContent): Promise<{ done: number; total: number }> {
  const ids = content.commitments.map((c) => c.actionId);
  const rows = await tx
    .select({ status: reviewActions.status })
    .from(reviewActions)
    .where(inArray(reviewActions.id, ids));
  return { done: rows.filter((r) => r.status === 'done').length, total: rows.length };
}
