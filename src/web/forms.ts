// Reading admin form posts into the same plain objects the API sends, so both go through the
// same domain validation.
import { fieldError, InputError } from '../domain/errors.ts';
import { isoDay } from '../domain/format.ts';
import { canonicalId } from '../domain/input.ts';
import { parseFormBody } from './request-body.ts';

export const COMPONENT_FIELD_PREFIX = 'component-';

/**
 * The posted form, or the plain-text 4xx to return instead when the body is not a form Candor can
 * read (415 for another content type, 400 for broken multipart or invalid UTF-8). No browser sends
 * such a body, so there is no page to show again: `if (form instanceof Response) return form;`.
 */
export async function readForm(request: Request): Promise<FormData | Response> {
  try {
    return await parseFormBody(request);
  } catch (error) {
    if (!(error instanceof InputError)) throw error;
    return new Response(error.message, {
      status: error.status,
      headers: { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' },
    });
  }
}

/** The record id in a form field; anything but a canonical id (see domain/input.ts) is a 400 naming the field. */
export function formId(form: FormData, name: string): number {
  const value = formText(form, name);
  const id = canonicalId(value);
  if (id === null)
    throw fieldError(name, `must be an id (a whole number from 1), got ${JSON.stringify(value.slice(0, 40))}`);
  return id;
}

/** Like formId, but an empty or missing field is null (e.g. "new child" in the review forms). */
export function formOptionalId(form: FormData, name: string): number | null {
  return formText(form, name) === '' ? null : formId(form, name);
}

export function formText(form: FormData, name: string): string {
  const value = form.get(name);
  return typeof value === 'string' ? value : '';
}

/** Fields `component-<id>` holding a state; an empty value means "not affected". */
export function formComponentStates(form: FormData): Record<string, string> {
  const states: Record<string, string> = {};
  for (const [key, value] of form.entries()) {
    if (!key.startsWith(COMPONENT_FIELD_PREFIX) || typeof value !== 'string' || value === '') continue;
    states[key.slice(COMPONENT_FIELD_PREFIX.length)] = value;
  }
  return states;
}

/** Only same-site paths are followed after login, never another host. */
export function safeNext(value: string | null): string {
  return value && value.startsWith('/admin') && !value.startsWith('//') ? value : '/admin';
}

/** The subscription component choice: radio `scope` (all | some) and checkboxes `components`. */
export function formComponentChoice(form: FormData): 'all' | string[] {
  if (formText(form, 'scope') !== 'some') return 'all';
  return form.getAll('components').filter((v): v is string => typeof v === 'string');
}

/**
 * A `datetime-local` or `date` field read as UTC: the admin forms label their times UTC, so the
 * server's own zone never shifts them. Empty stays empty (the domain decides if it is required).
 */
export function formUtcTime(form: FormData, name: string): string {
  const value = formText(form, name).trim();
  return /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?$/.test(value) ? `${value}Z` : value;
}

/** The value a `datetime-local` input shows for a UTC time. */
export function utcInputValue(ms: number | null | undefined): string {
  return ms === null || ms === undefined ? '' : new Date(ms).toISOString().slice(0, 16);
}

export function utcDateInputValue(ms: number | null | undefined): string {
  return ms === null || ms === undefined ? '' : isoDay(ms);
}

/** Every field of a form as strings (checkboxes as "on"), to re-fill it after an error. */
export function formValues(form: FormData): Record<string, string> {
  const values: Record<string, string> = {};
  for (const [key, value] of form.entries())
    if (typeof value === 'string') values[key] = key in values ? `${values[key]}\n${value}` : value;
  return values;
}
