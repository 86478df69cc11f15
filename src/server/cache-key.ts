// The page cache's key for a public request: the routed path plus only the query parameters that
// route reads, in a fixed order. Any other parameter (tracking tags, cache-busting junk) is
// dropped before rendering, so `/?a=1`, `/?a=2`, … are one entry and one render, not a flood.
// Pages in the visitor's language are keyed on it too: one of the shipped languages, never
// anything else the client sends, so a page has at most one entry per language.
import { canonicalId } from '../domain/input.ts';
import { normaliseSearch } from '../domain/history-filter.ts';
import { chooseLocale, LANG_PARAM, localeFromParam } from '../i18n/locale-choice.ts';
import { isLocalisedPath, routedPath } from '../web/paths.ts';

/**
 * Query parameters each public route reads, with the value it keys on. Keep in step with the
 * pages: src/pages/history.astro (month, page, component, q), src/pages/badge.svg.ts (component,
 * label).
 */
const ROUTE_PARAMS: Record<string, Record<string, (value: string) => string>> = {
  '/history': {
    month: (v) => v,
    page: (v) => v,
    // Every id that is not one is the same refused page; an empty filter is none at all.
    component: (v) => (v === '' ? '' : canonicalId(v) === null ? 'x' : v),
    // Spaces and length do not make another search: " API  errors " is "API errors".
    q: normaliseSearch,
  },
  // The badge shows at most 40 characters of its label; longer ones are the same badge.
  '/badge.svg': { component: (v) => v, label: (v) => v.slice(0, 40) },
};

const SKIPPED_WHEN_EMPTY = new Set(['component', 'q']);

export interface CanonicalRequest {
  /** What the cache stores the answer under. */
  key: string;
  /**
   * The answer depends on free text (a search): kept apart, in a small corner of the cache, so a
   * flood of made-up searches cannot push the pages everyone reads out of it.
   */
  searched: boolean;
  /** What Astro renders: the request's own path with only the parameters the route reads. */
  url: string;
}

/**
 * `routed` is rawPath as Astro routes it; the front server has it already on the hot path.
 * `cookie` is the request's Cookie header: it holds the visitor's remembered language.
 */
export function canonicalRequest(
  rawPath: string,
  rawQuery: string,
  routed = routedPath(rawPath),
  cookie?: string,
): CanonicalRequest {
  const path = routed.length > 1 && routed.endsWith('/') ? routed.slice(0, -1) : routed;
  const reads = ROUTE_PARAMS[path];
  const localised = isLocalisedPath(path);
  let query = '';
  let lang: string | null = null;
  if ((reads || localised) && rawQuery) {
    const given = new URLSearchParams(rawQuery);
    const kept = new URLSearchParams();
    // Only a shipped language: `?lang=xx` is dropped like any other junk.
    if (localised) lang = localeFromParam(given.get(LANG_PARAM));
    if (lang) kept.set(LANG_PARAM, lang);
    for (const [name, normalise] of Object.entries(reads ?? {})) {
      const value = given.get(name);
      if (value === null) continue;
      const normalised = normalise(value);
      // An empty filter or search is the same page as none (but an empty page number is refused).
      if (normalised !== '' || !SKIPPED_WHEN_EMPTY.has(name)) kept.set(name, normalised);
    }
    const text = kept.toString();
    if (text) query = `?${text}`;
  }
  const key = localised ? `${chooseLocale(lang, cookie)}|${path}${query}` : path + query;
  return { key, url: rawPath + query, searched: /[?&]q=/.test(query) };
}
