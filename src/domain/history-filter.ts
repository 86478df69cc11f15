// The filters of the public incident history: a component the incidents affected and words in
// their titles. One place reads them from a query string, turns them into SQL and back into the
// links the pages write, so a filter survives paging and a link always says what it shows.
import { and, sql, type SQL } from 'drizzle-orm';
import { incidents } from '../db/schema/index.ts';
import { canonicalId } from './input.ts';

/** Longest search kept; longer text is cut (no title search needs more). */
export const HISTORY_SEARCH_MAX = 60;

export interface HistoryFilter {
  componentId: number | null;
  /** Words to find in titles, trimmed and with runs of spaces made one; '' for none. */
  search: string;
}

export const NO_FILTER: HistoryFilter = { componentId: null, search: '' };

/** The search as it is kept and keyed: trimmed, spaces collapsed, at most HISTORY_SEARCH_MAX characters. */
export function normaliseSearch(value: string): string {
  return value.replace(/\s+/g, ' ').trim().slice(0, HISTORY_SEARCH_MAX).trim();
}

export const isFiltered = (f: HistoryFilter): boolean => f.componentId !== null || f.search !== '';

/** The filter a query string asks for, or the sentence saying what is wrong with it. */
export function parseHistoryFilter(params: URLSearchParams): HistoryFilter | string {
  const component = params.get('component');
  let componentId: number | null = null;
  if (component !== null && component !== '') {
    componentId = canonicalId(component);
    if (componentId === null) return 'The component must be an id, a whole number from 1, for example component=2.';
  }
  return { componentId, search: normaliseSearch(params.get('q') ?? '') };
}

/** The SQL condition on `incidents` for the filter (undefined when there is none). */
export function historyCondition(f: HistoryFilter): SQL | undefined {
  const conditions: SQL[] = [];
  if (f.componentId !== null) {
    // Through the updates' component states (indexed by component): the incidents that touched it.
    conditions.push(sql`${incidents.id} IN (SELECT u.incident_id FROM incident_update_components a
      JOIN incident_updates u ON u.id = a.update_id WHERE a.component_id = ${f.componentId})`);
  }
  if (f.search) {
    // Every word, in any order and case (ASCII case; instr needs no escaping, unlike LIKE).
    for (const word of f.search.toLowerCase().split(' '))
      conditions.push(sql`instr(lower(${incidents.title}), ${word}) > 0`);
  }
  return conditions.length ? and(...conditions) : undefined;
}

/** The query string of a history link: the month (when one is chosen), the filter and the page. */
export function historyQuery(month: string | null, f: HistoryFilter, page = 1): string {
  const params = new URLSearchParams();
  if (month) params.set('month', month);
  if (f.componentId !== null) params.set('component', String(f.componentId));
  if (f.search) params.set('q', f.search);
  if (page > 1) params.set('page', String(page));
  const text = params.toString();
  return text ? `?${text}` : '';
}
