// The audience forms, translated to the plain objects API v1 takes (domain/audiences/audience-rules.ts
// validates both), and the "Visible to" choice of the component and group forms.
import { fieldError } from '../domain/errors.ts';
import { canonicalId } from '../domain/input.ts';
import { formText } from './forms.ts';

/** Empty single sign-on rows offered below the rules an audience has. */
export const SPARE_SSO_ROWS = 3;

/** A textarea's entries: one a line (commas also separate), blanks dropped. */
export function formLines(form: FormData, name: string): string[] {
  return formText(form, name)
    .split(/[\r\n,]+/)
    .map((line) => line.trim())
    .filter((line) => line !== '');
}

/** Every checked id of checkboxes `name`; a value that is not an id is a 400 naming the field. */
export function formIds(form: FormData, name: string): number[] {
  return form.getAll(name).map((value) => {
    const id = canonicalId(value);
    if (id === null)
      throw fieldError(name, `must be ids (whole numbers from 1), got ${JSON.stringify(String(value).slice(0, 40))}`);
    return id;
  });
}

/** Rows `ssoClaim<i>` / `ssoValue<i>`; a row without a value is no rule. */
export function formSsoRules(form: FormData): { claim: string; value: string }[] {
  const rules: { claim: string; value: string }[] = [];
  for (let i = 0; form.has(`ssoClaim${i}`) || form.has(`ssoValue${i}`); i++) {
    const value = formText(form, `ssoValue${i}`);
    if (value.trim() !== '') rules.push({ claim: formText(form, `ssoClaim${i}`), value });
  }
  return rules;
}

/** The audience's own fields as the edit and new forms send them. */
export function audienceFromForm(form: FormData): Record<string, unknown> {
  return {
    name: formText(form, 'name'),
    description: formText(form, 'description'),
    ipAllowlist: formLines(form, 'ipAllowlist'),
    ssoRules: formSsoRules(form),
    componentIds: formIds(form, 'componentIds'),
    groupIds: formIds(form, 'groupIds'),
  };
}

/**
 * The "Visible to" choice: radio `visibility` (public | audiences) and checkboxes `audienceIds`.
 * Checked boxes are read (and checked as ids) either way, but count only with "audiences"; that
 * choice with no box ticked is refused rather than quietly made public. Undefined when the form
 * has no such choice (there are no audiences), so the assignment is left as it is.
 */
export function formVisibleTo(form: FormData): number[] | undefined {
  // A form shows the choice only while there are audiences; without it, nothing changes.
  if (!form.has('visibility')) return undefined;
  const ids = formIds(form, 'audienceIds');
  if (formText(form, 'visibility') !== 'audiences') return [];
  if (ids.length === 0)
    throw fieldError('audienceIds', 'needs at least one audience ticked, or choose "Everyone (public)"');
  return ids;
}
