// The settings form, translated to and from the plain object PATCH /api/v1/settings takes, so the
// admin and the API share one validation (domain/site-settings.ts).
import { InputError } from '../domain/errors.ts';
import { MAX_HEADER_LINKS, type SiteSettings } from '../domain/site-settings.ts';
import { formText } from './forms.ts';

/** The form's text fields, as typed (to show again after an error) or as stored. */
export interface SettingsFormValues {
  name: string;
  description: string;
  brandColor: string;
  links: { label: string; url: string }[];
  footerMarkdown: string;
  timeZone: string;
  defaultLocale: string;
  supportContact: string;
  showPoweredBy: boolean;
}

/** One row per possible header link; rows past the stored links start empty. */
function linkRows(links: { label: string; url: string }[]): { label: string; url: string }[] {
  return Array.from({ length: MAX_HEADER_LINKS }, (_, i) => links[i] ?? { label: '', url: '' });
}

export function settingsFormValues(s: SiteSettings): SettingsFormValues {
  return { ...s, links: linkRows(s.headerLinks) };
}

export function settingsFromForm(form: FormData): { values: SettingsFormValues; patch: Record<string, unknown> } {
  const links = linkRows(
    Array.from({ length: MAX_HEADER_LINKS }, (_, i) => ({
      label: formText(form, `linkLabel${i}`),
      url: formText(form, `linkUrl${i}`),
    })),
  );
  const values: SettingsFormValues = {
    name: formText(form, 'name'),
    description: formText(form, 'description'),
    brandColor: formText(form, 'brandColor'),
    links,
    footerMarkdown: formText(form, 'footerMarkdown'),
    timeZone: formText(form, 'timeZone'),
    defaultLocale: formText(form, 'defaultLocale'),
    supportContact: formText(form, 'supportContact'),
    showPoweredBy: formText(form, 'showPoweredBy') === 'on',
  };
  const { links: _rows, ...rest } = values;
  // A row left empty is no link; a half-filled one goes to validation, which names what is missing.
  const headerLinks = links.filter((l) => l.label.trim() !== '' || l.url.trim() !== '');
  return { values, patch: { ...rest, headerLinks } };
}

/** The file of an upload form, or an InputError a person can act on. */
export async function uploadedFile(form: FormData, name = 'file'): Promise<Uint8Array> {
  const file = form.get(name);
  if (!(file instanceof File) || (file.size === 0 && file.name === ''))
    throw new InputError('Choose an image file to upload first.');
  return new Uint8Array(await file.arrayBuffer());
}

/** The JSON typed into a document editor (glossary, alert routes); a syntax error says where. */
export function formJsonDocument(form: FormData, what: string): unknown {
  const text = formText(form, 'document');
  if (!text.trim())
    throw new InputError(`The ${what} is empty; write it as JSON (export the current one to start from).`);
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new InputError(`The ${what} is not valid JSON: ${(error as Error).message}.`);
  }
}

/** A document editor page's post: saved (send the browser on), or refused (show it with the typed text). */
export type DocumentPost = { redirect: Response } | { typed: string; error: InputError };

/**
 * A document editor page's (glossary, alert routes) posted form: saves the typed JSON with `save`
 * (which validates and audits) and sends the browser to `savedPath`.
 */
export async function saveSettingsDocument(
  form: FormData,
  what: string,
  save: (document: unknown) => Promise<unknown>,
  savedPath: string,
): Promise<DocumentPost> {
  try {
    await save(formJsonDocument(form, what));
    return { redirect: new Response(null, { status: 303, headers: { location: savedPath } }) };
  } catch (e) {
    if (!(e instanceof InputError)) throw e;
    return { typed: formText(form, 'document'), error: e };
  }
}
