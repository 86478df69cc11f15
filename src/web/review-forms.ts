// Admin review forms ↔ the plain objects the RCA domain validates, and back into form values
// for editing. Times are entered and shown in UTC.
import type { DbOrTx } from '../db/client.ts';
import { NotFoundError } from '../domain/errors.ts';
import { loadReview, type ActionItem, type Factor, type ReviewView, type TimelineEntry } from '../domain/rca/reviews.ts';
import { SECTIONS } from '../domain/rca/sections.ts';
import { formText, formUtcTime, utcDateInputValue, utcInputValue } from './forms.ts';

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

export function entryValues(e: TimelineEntry): Record<string, string> {
  return { at: utcInputValue(e.at), endAt: utcInputValue(e.endAt), actor: e.actor, kind: e.kind, effect: e.effect, description: e.description, public: onOff(e.public), publicText: e.publicText };
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
