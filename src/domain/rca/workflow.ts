// The RCA workflow (RCA-GUIDE.md §2): requested → assigned → drafting → in review → approved →
// published. Every step is written to the activity log with who and when. The approver is a
// bar-raiser who wrote none of the text, and approves the exact text: any change afterwards
// needs a new approval before it can be published.
import { createHash } from 'node:crypto';
import { and, desc, eq, max, ne } from 'drizzle-orm';
import { z } from 'zod';
import { postmortemRevisions, reviewAuthors, reviews, users } from '#db/schema/index.ts';
import type { Db, DbOrTx } from '#db/client.ts';
import { can, isRole } from '../auth/roles.ts';
import { recordChange } from '../changes.ts';
import { fieldError, ConflictError, ForbiddenError, InputError, NotFoundError, parseInput } from '../errors.ts';
import { countOf, isoDay } from '../format.ts';
import { idSchema } from '../input.ts';
import type { Author } from '../incidents.ts';
import { pageSnapshot, type PostmortemPayload } from '../notify/events.ts';
import { enqueueForReaders } from '../notify/reader-classes.ts';
import { reviewsSeen } from '../audiences/visible-postmortems.ts';
import { postmortemComponentsFor } from '../audiences/visible-views.ts';
import { countBySeverity, LINT_RULES, type LintFinding } from './lint.ts';
import { lintReview } from './lint-context.ts';
import { publicContent } from './postmortems.ts';
import { currentSources, detectDrift, reduceReview, type DriftItem } from './reduce.ts';
import { getReviewRow, loadReview, logActivity, type ReviewView } from './reviews.ts';
import type { Activity } from './review-types.ts';
import { SECTION_LABELS, SECTIONS, toDraft, type Draft } from './sections.ts';
import { REVIEW_STATE_LABELS, type ReviewState } from './vocabulary.ts';

/** Identifies the exact text (title and every section) an approval was given to. */
export function draftHash(draft: Draft): string {
  return createHash('sha256')
    .update(JSON.stringify(SECTIONS.map((s) => draft[s])))
    .digest('hex');
}

export interface ReviewChecks {
  findings: LintFinding[];
  errors: number;
  warnings: number;
  /** The draft matches what was approved. */
  approvedTextCurrent: boolean;
  /** What changed in the review since the text was reduced (before publication) or published. */
  drift: DriftItem[];
}

export function checkReview(view: ReviewView, latestRevisionSources: unknown | null): ReviewChecks {
  const findings = lintReview(view);
  const { errors, warnings } = countBySeverity(findings);
  const baseline = latestRevisionSources ?? view.draftSources;
  const hasText = SECTIONS.some((s) => view.draft[s].trim());
  return {
    findings,
    errors,
    warnings,
    approvedTextCurrent: view.approvedHash !== null && view.approvedHash === draftHash(view.draft),
    drift: hasText ? detectDrift(baseline, currentSources(view)) : [],
  };
}

/** "1 error, 2 warnings": the lint's figures as the editor shows them. */
export function lintSummary({ errors, warnings }: { errors: number; warnings: number }): string {
  return `${countOf(errors, 'error')}, ${countOf(warnings, 'warning')}`;
}

/** Each lint error as a sentence naming where it is, for a refusal that lists what to fix. */
export function lintErrorSentences(findings: LintFinding[]): string[] {
  return findings
    .filter((f) => f.severity === 'error')
    .map((f) => {
      const where = f.field ?? (f.section ? SECTION_LABELS[f.section] : null);
      return `${where && !f.message.includes(where) ? `${where}: ` : ''}${f.message} (${LINT_RULES[f.rule].label})`;
    });
}

/** "2 lint errors" and the same errors, listed, for a refusal while the text has errors. */
function lintErrorsRefusal(findings: LintFinding[], doing: string): ConflictError {
  const sentences = lintErrorSentences(findings);
  return new ConflictError(
    // The errors travel as the details (the form lists them, the API returns them): once only.
    `You cannot ${doing} while the text has ${countOf(sentences.length, 'lint error')}. Fix ${sentences.length === 1 ? 'it' : 'them'} first:`,
    sentences,
  );
}

const AUTHOR_CANNOT_APPROVE =
  'You wrote or own this RCA, so you cannot approve it: a bar-raiser who did not write it must read it as a customer would.';

/**
 * Why `userId` may not approve the review's text now, or null when they may: one rule for the
 * page (which then shows the reason instead of the button) and for `approve` (which refuses).
 */
export function approvalBlock(
  view: Pick<ReviewView, 'authors' | 'ownerId'>,
  checks: Pick<ReviewChecks, 'errors'>,
  userId: number | null,
): { reason: string; status: 403 | 409 } | null {
  if (userId === null || view.authors.some((a) => a.id === userId) || view.ownerId === userId)
    return { reason: AUTHOR_CANNOT_APPROVE, status: 403 };
  if (checks.errors > 0)
    return {
      reason: `The text has ${countOf(checks.errors, 'lint error')}, so it cannot be approved: request changes, saying what must be fixed.`,
      status: 409,
    };
  return null;
}

/**
 * The reviewer's request for changes that the authors still have to address: the latest one,
 * until the text is sent for review again. Null when there is none open.
 */
export function openChangeRequest(view: Pick<ReviewView, 'activity' | 'state'>): Activity | null {
  if (view.state !== 'drafting') return null;
  // The activity is newest first: a request counts until a later submission answers it.
  for (const a of view.activity) {
    if (a.action === 'submitted for review') return null;
    if (a.action === 'requested changes') return a;
  }
  return null;
}

export async function latestRevisionSources(db: DbOrTx, reviewId: number): Promise<unknown | null> {
  const [row] = await db
    .select({ sources: postmortemRevisions.sources })
    .from(postmortemRevisions)
    .where(eq(postmortemRevisions.reviewId, reviewId))
    .orderBy(desc(postmortemRevisions.revision))
    .limit(1);
  return row ? JSON.parse(row.sources) : null;
}

function requireState(row: { state: string }, allowed: ReviewState[], doing: string): void {
  if (!allowed.includes(row.state as ReviewState)) {
    throw new ConflictError(
      `Cannot ${doing} while the review is "${REVIEW_STATE_LABELS[row.state as ReviewState]}"; it must be ${allowed.map((s) => `"${REVIEW_STATE_LABELS[s]}"`).join(' or ')}.`,
    );
  }
}

async function setState(
  tx: DbOrTx,
  id: number,
  state: ReviewState,
  now: number,
  extra: Partial<typeof reviews.$inferInsert> = {},
): Promise<void> {
  await tx
    .update(reviews)
    .set({ state, updatedAt: now, ...extra })
    .where(eq(reviews.id, id));
}

const assignSchema = z.object({ ownerId: idSchema('choose an owner') });

/** One owner drives the RCA; the owner is an author and so can never approve it. */
export async function assignOwner(db: Db, id: number, input: unknown, actor: Author, now = Date.now()): Promise<void> {
  const { ownerId } = parseInput(assignSchema, input);
  await db.transaction(async (tx) => {
    const row = await getReviewRow(tx, id);
    if (row.state === 'published') throw new ConflictError('A published RCA keeps its owner.');
    const [owner] = await tx.select().from(users).where(eq(users.id, ownerId));
    if (!owner || owner.disabledAt !== null)
      throw new NotFoundError('user', ownerId, `No active user with id ${ownerId}.`);
    if (!isRole(owner.role) || !can(owner.role, 'reviews:write')) {
      throw new InputError(`${owner.name} cannot write reviews (role ${owner.role}); choose an author or an admin.`);
    }
    await setState(tx, id, row.state === 'requested' ? 'assigned' : row.state, now, { ownerId });
    await tx.insert(reviewAuthors).values({ reviewId: id, userId: ownerId }).onConflictDoNothing();
    await logActivity(tx, id, actor, 'assigned', `Owner: ${owner.name}`, now);
  });
}

const sectionSchema = z.string().max(20_000, 'must be at most 20,000 characters').default('');
const draftSchema = z.object({
  ...Object.fromEntries(SECTIONS.map((s) => [s, sectionSchema])),
  title: z
    .string()
    .trim()
    .max(200, 'must be at most 200 characters')
    .regex(/^[^\r\n]*$/, 'must be one line')
    .default(''),
}) as unknown as z.ZodType<Draft>;

/**
 * Saves the external text. Whoever saves it becomes an author. A change to approved or published
 * text sends it back to drafting: it must be reviewed and approved again.
 */
export async function saveDraft(
  db: Db,
  id: number,
  input: unknown,
  actor: Author,
  now = Date.now(),
  sources?: unknown,
): Promise<void> {
  const draft = parseInput(draftSchema, input);
  await db.transaction(async (tx) => {
    const row = await getReviewRow(tx, id);
    requireState(row, ['assigned', 'drafting', 'in_review', 'approved', 'published'], 'edit the text');
    const changed = draftHash(draft) !== draftHash(toDraft(JSON.parse(row.draft)));
    let state = row.state;
    if (state === 'assigned') state = 'drafting';
    if (changed && (state === 'approved' || state === 'published')) {
      await logActivity(
        tx,
        id,
        actor,
        'approval withdrawn',
        'The text changed after approval; it needs a new review.',
        now,
      );
      state = 'drafting';
    }
    await setState(tx, id, state, now, {
      draft: JSON.stringify(draft),
      ...(sources === undefined ? {} : { draftSources: JSON.stringify(sources) }),
    });
    if (actor.id !== null)
      await tx.insert(reviewAuthors).values({ reviewId: id, userId: actor.id }).onConflictDoNothing();
    await logActivity(
      tx,
      id,
      actor,
      sources === undefined ? 'edited text' : 'drafted from review',
      changed ? '' : 'no change to the text',
      now,
    );
  });
}

/** Drafts every section from the review (recommendations are kept) and records the sources. */
export async function reduceToDraft(db: Db, id: number, actor: Author, now = Date.now()): Promise<void> {
  const view = await loadReview(db, id, now);
  const { draft, sources } = reduceReview(view);
  await saveDraft(db, id, draft, actor, now, sources);
}

/** Accepts the current review as the basis of the text, after checking the drift by hand. */
export async function acceptDrift(db: Db, id: number, actor: Author, now = Date.now()): Promise<void> {
  await db.transaction(async (tx) => {
    const view = await loadReview(tx, id, now);
    await tx
      .update(reviews)
      .set({ draftSources: JSON.stringify(currentSources(view)), updatedAt: now })
      .where(eq(reviews.id, id));
    await logActivity(tx, id, actor, 'checked drift', 'The text was checked against the changed review.', now);
  });
}

/** Sends the text to a bar-raiser. Text with lint errors is refused, with the errors listed. */
export async function submitForReview(db: Db, id: number, actor: Author, now = Date.now()): Promise<void> {
  await db.transaction(async (tx) => {
    const row = await getReviewRow(tx, id);
    requireState(row, ['drafting'], 'ask for review');
    const findings = lintReview(await loadReview(tx, id, now));
    if (countBySeverity(findings).errors > 0) throw lintErrorsRefusal(findings, 'ask for review');
    await setState(tx, id, 'in_review', now);
    await logActivity(tx, id, actor, 'submitted for review', '', now);
  });
}

const commentSchema = z.object({
  comment: z.string().trim().min(1, 'is required: say what needs to change').max(5000),
});

export async function requestChanges(
  db: Db,
  id: number,
  input: unknown,
  actor: Author,
  now = Date.now(),
): Promise<void> {
  const { comment } = parseInput(commentSchema, input);
  await db.transaction(async (tx) => {
    const row = await getReviewRow(tx, id);
    requireState(row, ['in_review', 'approved'], 'request changes');
    await setState(tx, id, 'drafting', now, { approvedHash: null, approvedBy: null, approvedAt: null });
    await logActivity(tx, id, actor, 'requested changes', comment, now);
  });
}

const approveSchema = z.object({
  textHash: z.string({ error: 'is required' }).regex(/^[0-9a-f]{64}$/, 'must identify the text you read'),
});

/**
 * The bar-raiser's approval of the exact text they read: `textHash` comes from the page they
 * approved on, so text changed in the meantime is not approved unread.
 */
export async function approve(db: Db, id: number, input: unknown, actor: Author, now = Date.now()): Promise<void> {
  const { textHash } = parseInput(approveSchema, input);
  await db.transaction(async (tx) => {
    const row = await getReviewRow(tx, id);
    requireState(row, ['in_review'], 'approve');
    const view = await loadReview(tx, id, now);
    if (approvalBlock(view, { errors: 0 }, actor.id)) throw new ForbiddenError(AUTHOR_CANNOT_APPROVE);
    if (draftHash(view.draft) !== textHash)
      throw new ConflictError('The text changed since you opened it. Read the current text and approve again.');
    const findings = lintReview(view);
    if (countBySeverity(findings).errors > 0) throw lintErrorsRefusal(findings, 'approve the text');
    await setState(tx, id, 'approved', now, { approvedHash: textHash, approvedBy: actor.id, approvedAt: now });
    await logActivity(tx, id, actor, 'approved', `Text ${textHash.slice(0, 12)}`, now);
  });
}

const publishSchema = z.object({
  acknowledgement: z.string().trim().max(5000).default(''),
  changeNote: z.string().trim().max(1000, 'must be at most 1,000 characters').default(''),
  minor: z.boolean().default(false),
});

function slugify(title: string, startedAt: number | null, id: number): string {
  const day = isoDay(startedAt ?? Date.now());
  const words = title
    .toLowerCase()
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/^post-incident report:\s*/, '')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 60)
    .replace(/-+$/, '');
  return `${day}-${words || `rca-${id}`}`;
}

/**
 * Publishes the approved text as a new revision. Lint errors block; warnings need a written
 * acknowledgement; a republication says what changed. Subscribers of the affected components are
 * told, except about a republication marked minor.
 */
export async function publish(
  db: Db,
  id: number,
  input: unknown,
  actor: Author,
  now = Date.now(),
): Promise<{ slug: string; revision: number }> {
  const data = parseInput(publishSchema, input);
  return db.transaction(async (tx) => {
    const row = await getReviewRow(tx, id);
    requireState(row, ['approved'], 'publish');
    const view = await loadReview(tx, id, now);
    if (view.approvedHash !== draftHash(view.draft))
      throw new ConflictError('The text changed after approval; it needs approval again.');
    const findings = lintReview(view);
    const { errors, warnings } = countBySeverity(findings);
    if (errors > 0) throw lintErrorsRefusal(findings, 'publish');
    if (warnings > 0 && data.acknowledgement.length < 10) {
      throw fieldError(
        'acknowledgement',
        `is required: the text has ${countOf(warnings, 'warning')}; explain in a sentence why it is right as it is.`,
      );
    }
    const [{ last }] = await tx
      .select({ last: max(postmortemRevisions.revision) })
      .from(postmortemRevisions)
      .where(eq(postmortemRevisions.reviewId, id));
    const revision = (last ?? 0) + 1;
    if (revision > 1 && data.changeNote.length === 0)
      throw fieldError('changeNote', 'is required when republishing: tell readers what changed.');
    const minor = revision > 1 && data.minor;
    let slug = row.slug;
    if (!slug) {
      slug = slugify(view.draft.title, view.moments.startedAt, id);
      const [taken] = await tx
        .select({ id: reviews.id })
        .from(reviews)
        .where(and(eq(reviews.slug, slug), ne(reviews.id, id)));
      if (taken) slug = `${slug}-${id}`;
    }
    const content = publicContent(view);
    await tx.insert(postmortemRevisions).values({
      reviewId: id,
      revision,
      content: JSON.stringify(content),
      sources: JSON.stringify(currentSources(view)),
      changeNote: revision > 1 ? data.changeNote : '',
      minor,
      acknowledgement: data.acknowledgement,
      publishedAt: now,
      publishedBy: actor.id,
    });
    await setState(tx, id, 'published', now, {
      slug,
      publishedAt: row.publishedAt ?? now,
      draftSources: JSON.stringify(currentSources(view)),
    });
    await logActivity(
      tx,
      id,
      actor,
      revision === 1 ? 'published' : 'republished',
      [
        `Revision ${revision}${minor ? ' (minor: subscribers not notified)' : ''}`,
        data.changeNote,
        data.acknowledgement && `Warnings acknowledged: ${data.acknowledgement}`,
      ]
        .filter(Boolean)
        .join(' — '),
      now,
    );
    await recordChange(tx, 'postmortem', `postmortem:${id}`);
    if (!minor) {
      const done = view.actions.filter(
        (a) => content.commitments.some((c) => c.actionId === a.id) && a.status === 'done',
      ).length;
      const named = new Map([[id, content.incidents.map((i) => i.id)]]);
      await enqueueForReaders(
        tx,
        async (v) => {
          // Only those who see every incident it covers hear of it; hidden components are left out.
          if (!(await reviewsSeen(tx, v, [id], named)).has(id)) return null;
          const components = postmortemComponentsFor(v, content.components);
          const payload: PostmortemPayload = {
            page: await pageSnapshot(tx, v),
            postmortem: {
              slug,
              title: content.title,
              summary: content.summary,
              revision,
              changeNote: revision > 1 ? data.changeNote : '',
              publishedAt: now,
              startedAt: content.startedAt,
              resolvedAt: content.resolvedAt,
              incidents: content.incidents,
              components: components.map((c) => ({ id: c.id, name: c.name })),
            },
            commitments: { done, total: content.commitments.length },
          };
          return {
            kind: revision === 1 ? 'postmortem.published' : 'postmortem.updated',
            incidentId: content.incidents[0]?.id ?? null,
            componentIds: components.map((c) => c.id),
            payload,
          };
        },
        now,
      );
    }
    return { slug, revision };
  });
}
