// Reading admin form posts into the same plain objects the API sends, so both go through the
// same domain validation.
export const COMPONENT_FIELD_PREFIX = 'component-';

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
