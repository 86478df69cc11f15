// What the reader of this request may see (issue 20): the Visibility of `locals.viewer`, read at
// most once per request however many parts of a page ask for it.
import { getDb } from '../db/client.ts';
import { loadVisibility, type Visibility } from '../domain/audiences/visibility.ts';

const perRequest = new WeakMap<App.Locals, Promise<Visibility>>();

export function visibilityOf(locals: App.Locals): Promise<Visibility> {
  let v = perRequest.get(locals);
  if (!v) {
    v = loadVisibility(getDb(), locals.viewer);
    perRequest.set(locals, v);
  }
  return v;
}
