// Admin review forms ↔ the plain objects the RCA domain validates, and back into form values
// for editing; and the one call each review page makes for a posted form. Times are entered and
// shown in UTC.
import type { Db, DbOrTx } from '../db/client.ts';
import { InputError, NotFoundError } from '../domain/errors.ts';
import type { Author } from '../domain/incidents.ts';
import { saveActionItem } from '../domain/rca/commitments.ts';
import {
  deleteChild,
  loadReview,
  saveFactor,
  saveTimelineEntry,
  updateReview,
  type ActionItem,
  type Factor,
  type ReviewView,
  type TimelineEntry,
} from '../domain/rca/reviews.ts';
import { SECTIONS } from '../domain/rca/sections.ts';
import {
  acceptDrift,
  approve,
  assignOwner,
  publish,
  reduceToDraft,
  requestChanges,
  saveDraft,
  submitForReview,
} from '../domain/rca/workflow.ts';
import { formId, formOptionalId, formText, formUtcTime, utcDateInputValue, utcInputValue } from './forms.ts';

const checked = (form: FormData, name: string) => form.get(name) === 'on';
const onOff = (value: boolean) => (value ? 'on' : '');

/** The fields a review is named and scoped by, common to requesting one and editing it. */
function reviewBasics(form: FormData) {
  return {
    title: formText(form, 'title'),
    severity: formText(form, 'severity'),
    incidentIds: form.getAll('incidentIds').map(String),
    rcaDueAt: formUtcTime(form, 'rcaDueAt'),
  };
}

export function reviewInput(form: FormData) {
  return {
    ...reviewBasics(form),
    customerImpact: formText(form, 'customerImpact'),
    customersAffected: checked(form, 'customersAffected'),
    detectedBy: formText(form, 'detectedBy'),
    newFailureMode: checked(form, 'newFailureMode'),
    startedAt: formUtcTime(form, 'startedAt'),
    detectedAt: formUtcTime(form, 'detectedAt'),
    acknowledgedAt: formUtcTime(form, 'acknowledgedAt'),
    mitigatedAt: formUtcTime(form, 'mitigatedAt'),
    resolvedAt: formUtcTime(form, 'resolvedAt'),
    fiveWhys: form.getAll('fiveWhys').map((w) => String(w).trim()),
    learnings: formText(form, 'learnings'),
  };
}

export function requestInput(form: FormData) {
  return { ...reviewBasics(form), requestContext: formText(form, 'requestContext') };
}

const publicInput = (form: FormData) => ({ public: checked(form, 'public'), publicText: formText(form, 'publicText') });

export function entryInput(form: FormData) {
  return {
    at: formUtcTime(form, 'at'),
    endAt: formUtcTime(form, 'endAt'),
    actor: formText(form, 'actor'),
    kind: formText(form, 'kind'),
    effect: formText(form, 'effect'),
    description: formText(form, 'description'),
    ...publicInput(form),
  };
}

export function factorInput(form: FormData) {
  return { kind: formText(form, 'kind'), description: formText(form, 'description'), ...publicInput(form) };
}

export function actionInput(form: FormData) {
  return {
    title: formText(form, 'title'),
    owner: formText(form, 'owner'),
    priority: formText(form, 'priority'),
    dueAt: formText(form, 'dueAt'),
    status: formText(form, 'status'),
    ticketUrl: formText(form, 'ticketUrl'),
    category: formText(form, 'category'),
    ...publicInput(form),
  };
}

export function draftInput(form: FormData) {
  return Object.fromEntries(SECTIONS.map((s) => [s, formText(form, s)]));
}

export function publishInput(form: FormData) {
  return {
    acknowledgement: formText(form, 'acknowledgement'),
    changeNote: formText(form, 'changeNote'),
    minor: checked(form, 'minor'),
  };
}

export function entryValues(e: TimelineEntry): Record<string, string> {
  return {
    at: utcInputValue(e.at),
    endAt: utcInputValue(e.endAt),
    actor: e.actor,
    kind: e.kind,
    effect: e.effect,
    description: e.description,
    public: onOff(e.public),
    publicText: e.publicText,
  };
}

export function factorValues(f: Factor): Record<string, string> {
  return { kind: f.kind, description: f.description, public: onOff(f.public), publicText: f.publicText };
}

export function actionValues(a: ActionItem): Record<string, string> {
  return {
    title: a.title,
    owner: a.owner,
    priority: a.priority,
    dueAt: utcDateInputValue(a.dueAt),
    status: a.status,
    ticketUrl: a.ticketUrl,
    category: a.category,
    public: onOff(a.public),
    publicText: a.publicText,
  };
}

export function reviewValues(r: ReviewView): Record<string, string> {
  return {
    title: r.title,
    severity: r.severity,
    customerImpact: r.customerImpact,
    customersAffected: onOff(r.customersAffected),
    detectedBy: r.detectedBy,
    newFailureMode: onOff(r.newFailureMode),
    startedAt: utcInputValue(r.startedAt),
    detectedAt: utcInputValue(r.detectedAt),
    acknowledgedAt: utcInputValue(r.acknowledgedAt),
    mitigatedAt: utcInputValue(r.mitigatedAt),
    resolvedAt: utcInputValue(r.resolvedAt),
    learnings: r.learnings,
    rcaDueAt: utcInputValue(r.rcaDueAt),
  };
}

/** The review a page shows, or the 404 answer when there is none. */
export async function reviewOrNotFound(db: DbOrTx, id: number): Promise<ReviewView | Response> {
  try {
    return await loadReview(db, id);
  } catch (e) {
    if (e instanceof NotFoundError) return new Response('No such review.', { status: 404 });
    throw e;
  }
}

/** Where on the review page a saved form returns to. */
export type ReviewAnchor = '' | '#timeline' | '#factors' | '#actions';

/**
 * Runs the review page's posted form (its `action` field) as `actor` and returns the anchor to
 * come back to. An unknown action is an InputError; the domain's errors pass through as they are.
 */
export async function runReviewAction(db: Db, reviewId: number, form: FormData, actor: Author): Promise<ReviewAnchor> {
  const action = formText(form, 'action');
  // An empty childId adds a new entry; deleting needs one.
  const childId = () => formOptionalId(form, 'childId');
  const existing = () => formId(form, 'childId');
  switch (action) {
    case 'update-review':
      await updateReview(db, reviewId, reviewInput(form), actor);
      return '';
    case 'save-entry':
      await saveTimelineEntry(db, reviewId, childId(), entryInput(form), actor);
      return '#timeline';
    case 'save-factor':
      await saveFactor(db, reviewId, childId(), factorInput(form), actor);
      return '#factors';
    case 'save-action':
      await saveActionItem(db, reviewId, childId(), actionInput(form), actor);
      return '#actions';
    case 'delete-entry':
      await deleteChild(db, reviewId, 'timeline', existing(), actor);
      return '#timeline';
    case 'delete-factor':
      await deleteChild(db, reviewId, 'factor', existing(), actor);
      return '#factors';
    case 'delete-action':
      await deleteChild(db, reviewId, 'action', existing(), actor);
      return '#actions';
    default:
      throw new InputError(`Unknown action "${action}".`);
  }
}

/** What an RCA page form did, for the notice shown after the redirect. */
export type RcaDone = 'saved' | 'drafted' | 'submitted' | 'approved' | 'published';

/**
 * Runs the RCA page's posted form (its `action` field) as `actor` and says what was done. An
 * unknown action is an InputError; the workflow's errors pass through as they are.
 */
export async function runRcaAction(db: Db, reviewId: number, form: FormData, actor: Author): Promise<RcaDone> {
  const action = formText(form, 'action');
  switch (action) {
    case 'assign':
      await assignOwner(db, reviewId, { ownerId: formText(form, 'ownerId') }, actor);
      return 'saved';
    case 'reduce':
      await reduceToDraft(db, reviewId, actor);
      return 'drafted';
    case 'save-draft':
      await saveDraft(db, reviewId, draftInput(form), actor);
      return 'saved';
    case 'accept-drift':
      await acceptDrift(db, reviewId, actor);
      return 'saved';
    case 'submit':
      await submitForReview(db, reviewId, actor);
      return 'submitted';
    case 'approve':
      await approve(db, reviewId, { textHash: formText(form, 'textHash') }, actor);
      return 'approved';
    case 'request-changes':
      await requestChanges(db, reviewId, { comment: formText(form, 'comment') }, actor);
      return 'saved';
    case 'publish':
      await publish(db, reviewId, publishInput(form), actor);
      return 'published';
    default:
      throw new InputError(`Unknown action "${action}".`);
  }
}
