// What the public pages show, assembled from the database. Everything here is public by design:
// only fields meant for readers are selected, and only what the reader's Visibility lets them see
// (audiences/visibility.ts): the public never sees an audience's components or their incidents. Query cost is bounded by the uptime window and the
// recent-history window, never by the whole history.
import { and, asc, count, gte, isNull, lt, sql } from 'drizzle-orm';
import { incidents } from '../db/schema/index.ts';
import type { DbOrTx } from '../db/client.ts';
import { listComponents, listGroups, type Component, type ComponentGroup } from './components.ts';
import { loadIncidentList, type IncidentView } from './incidents.ts';
import {
  componentVisible,
  hidesAnything,
  incidentTouchesVisible,
  visibleComponents,
  visibleIncident,
  type Visibility,
} from './audiences/visibility.ts';
import { incidentsFor } from './audiences/visible-views.ts';
import {
  loadActiveMaintenance,
  loadMaintenanceBetween,
  loadUpcomingMaintenance,
  type MaintenanceView,
} from './maintenance.ts';
import { overallStatus, worstComponentState, type ComponentState, type OverallStatus } from './status.ts';
import { NotFoundError } from './errors.ts';
import { isoDay } from './format.ts';
import { historyCondition, isFiltered, NO_FILTER, type HistoryFilter } from './history-filter.ts';
import { DAY_MS, startOfUtcDay, type Uptime } from './uptime.ts';
import { loadUptimes } from './uptime-rollups.ts';
import { inIds } from '../db/id-list.ts';

export const RECENT_HISTORY_DAYS = 7;
/** Incidents shown per day on the status page; the rest of a busy day is a link to its month. */
export const RECENT_PER_DAY = 3;
/** Incidents per page of a history month. */
export const HISTORY_PAGE_SIZE = 25;

export interface ComponentView extends Component {
  status: ComponentState;
  uptime: Uptime;
}

export interface GroupView extends ComponentGroup {
  components: ComponentView[];
  /** The worst state among the group's components. */
  status: ComponentState;
}

export interface HistoryDay {
  date: string;
  incidents: IncidentView[];
  /** Incidents of the day not shown (beyond RECENT_PER_DAY). */
  more: number;
}

export interface StatusPageView {
  overall: OverallStatus;
  groups: GroupView[];
  ungrouped: ComponentView[];
  activeIncidents: IncidentView[];
  activeMaintenance: MaintenanceView[];
  upcomingMaintenance: MaintenanceView[];
  recentDays: HistoryDay[];
  generatedAt: number;
}

export async function loadComponentViews(
  db: DbOrTx,
  now: number,
  v: Visibility,
): Promise<{ groups: GroupView[]; ungrouped: ComponentView[] }> {
  const [allGroups, allComps] = await Promise.all([listGroups(db), listComponents(db)]);
  // A hidden group's name is not shown: its visible members stand outside any group.
  const hiddenGroups = new Set(v.hiddenGroupIds);
  const groups = hidesAnything(v) ? allGroups.filter((g) => !hiddenGroups.has(g.id)) : allGroups;
  const comps = visibleComponents(v, allComps, (c) => c.id);
  const uptimes = await loadUptimes(
    db,
    comps.map((c) => c.id),
    now,
  );
  const views: ComponentView[] = comps.map((c) => ({ ...c, status: c.status, uptime: uptimes.get(c.id)! }));
  const groupViews: GroupView[] = groups
    .map((g) => {
      const members = views.filter((c) => c.groupId === g.id);
      return { ...g, components: members, status: worstComponentState(members.map((m) => m.status)) };
    })
    .filter((g) => g.components.length > 0);
  const groupIds = new Set(groups.map((g) => g.id));
  const ungrouped = views.filter((c) => c.groupId === null || !groupIds.has(c.groupId));
  return { groups: groupViews, ungrouped };
}

/** Unresolved incidents `v`'s reader sees; with drafts (staff): every one. */
export async function loadActiveIncidents(
  db: DbOrTx,
  v: Visibility,
  options: { includeDrafts?: boolean } = {},
): Promise<IncidentView[]> {
  const open = isNull(incidents.resolvedAt);
  return incidentsFor(
    v,
    await loadIncidentList(db, options.includeDrafts ? open : and(open, visibleIncident(v)), 'startedAt'),
  );
}

/**
 * Incidents that started in [from, to), grouped by the UTC day they started, newest day first: at
 * most RECENT_PER_DAY a day (the newest), with how many more the day had. Per day, the newest are
 * read and the rest counted on incidents_public_started_idx alone (a busy week of a long history
 * is hundreds of incidents: ranking them all cost more than the whole rest of the query); only
 * the rows shown are read.
 */
export async function loadIncidentDays(db: DbOrTx, from: number, to: number, v: Visibility): Promise<HistoryDay[]> {
  const seen = visibleIncident(v);
  const dayStarts: number[] = [];
  for (let dayStart = startOfUtcDay(to - 1); dayStart >= from; dayStart -= DAY_MS) dayStarts.push(dayStart);
  const perDay = dayStarts.map((dayStart) => {
    const inDay = and(seen, gte(incidents.startedAt, dayStart), lt(incidents.startedAt, dayStart + DAY_MS));
    return sql`SELECT * FROM (
      SELECT ${incidents.id} AS id, (SELECT count(*) FROM ${incidents} WHERE ${inDay}) AS total FROM ${incidents}
      WHERE ${inDay} ORDER BY ${incidents.startedAt} DESC, ${incidents.id} DESC LIMIT ${sql.raw(String(RECENT_PER_DAY))})`;
  });
  const newest = perDay.length ? await db.all<{ id: number; total: number }>(sql.join(perDay, sql` UNION ALL `)) : [];
  const totalOf = new Map(newest.map((r) => [Number(r.id), Number(r.total)]));
  const views = totalOf.size
    ? incidentsFor(v, await loadIncidentList(db, inIds(incidents.id, totalOf.keys()), 'startedAt'))
    : [];
  return dayStarts.map((dayStart) => {
    const shown = views.filter((v) => v.startedAt >= dayStart && v.startedAt < dayStart + DAY_MS);
    return {
      date: isoDay(dayStart),
      incidents: shown,
      more: shown.length ? totalOf.get(shown[0].id)! - shown.length : 0,
    };
  });
}

/** The status page as `v`'s reader sees it: the overall status too is worked out from what they see. */
export async function loadStatusPage(db: DbOrTx, v: Visibility, now = Date.now()): Promise<StatusPageView> {
  const recentFrom = startOfUtcDay(now) - (RECENT_HISTORY_DAYS - 1) * DAY_MS;
  const [{ groups, ungrouped }, activeIncidents, recentDays, activeMaintenance, upcomingMaintenance] =
    await Promise.all([
      loadComponentViews(db, now, v),
      loadActiveIncidents(db, v),
      loadIncidentDays(db, recentFrom, startOfUtcDay(now) + DAY_MS, v),
      loadActiveMaintenance(db, v),
      loadUpcomingMaintenance(db, v),
    ]);
  const allComponents = [...groups.flatMap((g) => g.components), ...ungrouped];
  return {
    overall: overallStatus(
      allComponents.map((c) => c.status),
      activeIncidents.map((i) => i.impact),
    ),
    groups,
    ungrouped,
    activeIncidents,
    activeMaintenance,
    upcomingMaintenance,
    recentDays,
    generatedAt: now,
  };
}

export interface HistoryMonthView {
  /** YYYY-MM, or null for a filtered view of every month. */
  month: string | null;
  label: string;
  filter: HistoryFilter;
  incidents: IncidentView[];
  maintenance: MaintenanceView[];
  newer: string | null;
  older: string | null;
  /** 1-based page of the month's incidents (newest first) and how many there are. */
  page: number;
  pages: number;
  total: number;
}

export function monthKey(ms: number): string {
  return new Date(ms).toISOString().slice(0, 7);
}

export function parseMonth(value: string | null, now: number): string | null {
  if (value === null || value === '') return monthKey(now);
  if (!/^\d{4}-(0[1-9]|1[0-2])$/.test(value)) return null;
  return value;
}

function monthStart(month: string): number {
  const [y, m] = month.split('-').map(Number);
  return Date.UTC(y, m - 1, 1);
}

function shiftMonth(month: string, delta: number): string {
  const [y, m] = month.split('-').map(Number);
  return monthKey(Date.UTC(y, m - 1 + delta, 1));
}

/**
 * One page of a month's incidents, newest first, optionally filtered (history-filter.ts); with a
 * filter, `month` null searches every month. Page links stay stable while the month is over; a
 * page past the last throws NotFoundError.
 */
export async function loadHistoryMonth(
  db: DbOrTx,
  v: Visibility,
  month: string | null,
  now = Date.now(),
  page = 1,
  filter: HistoryFilter = NO_FILTER,
): Promise<HistoryMonthView> {
  // A component this reader does not see has no history for them: it does not exist.
  if (filter.componentId !== null && !componentVisible(v, filter.componentId))
    throw new NotFoundError('component', filter.componentId);
  if (month === null) return loadHistorySearch(db, v, filter, page);
  const from = monthStart(month);
  const to = monthStart(shiftMonth(month, 1));
  const inMonth = and(
    visibleIncident(v),
    gte(incidents.startedAt, from),
    lt(incidents.startedAt, to),
    historyCondition(filter),
  );
  const [[{ total }], views, [oldest], maintenance] = await Promise.all([
    db.select({ total: count() }).from(incidents).where(inMonth),
    loadIncidentList(db, inMonth, 'startedAt', historyPage(page)),
    db
      .select({ startedAt: incidents.startedAt })
      .from(incidents)
      .where(visibleIncident(v))
      .orderBy(asc(incidents.startedAt))
      .limit(1),
    loadMaintenanceBetween(db, from, to, v),
  ]);
  const pages = pageCount(total, page, `The incident history of ${month}`);
  const current = monthKey(now);
  const older = shiftMonth(month, -1);
  return {
    month,
    label: new Date(from).toLocaleString('en-GB', { month: 'long', year: 'numeric', timeZone: 'UTC' }),
    filter,
    incidents: incidentsFor(v, views),
    // Maintenance is not an incident: a filtered view lists incidents only.
    maintenance: isFiltered(filter) ? [] : maintenance.filter((m) => m.status !== 'scheduled'),
    newer: month < current ? shiftMonth(month, 1) : null,
    older: oldest && monthKey(oldest.startedAt) <= older ? older : null,
    page,
    pages,
    total,
  };
}

/** Page `page` (from 1) of a history list. */
function historyPage(page: number) {
  return { limit: HISTORY_PAGE_SIZE, offset: (page - 1) * HISTORY_PAGE_SIZE };
}

/** How many pages `total` incidents make; a page past the last is a NotFoundError naming `what`. */
function pageCount(total: number, page: number, what: string): number {
  const pages = Math.max(1, Math.ceil(total / HISTORY_PAGE_SIZE));
  if (page > pages) {
    const has = pages === 1 ? 'one page' : `${pages} pages`;
    throw new NotFoundError('history page', page, `${what} has ${has}; there is no page ${page}.`);
  }
  return pages;
}

/**
 * Every month's incidents that match `filter`, newest first, a page at a time. Unlike a month's
 * page this reads more as history grows (a title search looks at every public title), so its
 * pages are kept apart in the page cache (see cache-key.ts).
 */
async function loadHistorySearch(
  db: DbOrTx,
  v: Visibility,
  filter: HistoryFilter,
  page: number,
): Promise<HistoryMonthView> {
  // With a component, start from that component's incidents (its index), not from every public
  // one: the unary + keeps SQLite from walking the `published` index instead.
  const visible =
    filter.componentId !== null ? and(sql`+${incidents.published} = 1`, incidentTouchesVisible(v)) : visibleIncident(v);
  const matching = and(visible, historyCondition(filter));
  const [[{ total }], views] = await Promise.all([
    db.select({ total: count() }).from(incidents).where(matching),
    loadIncidentList(db, matching, 'startedAt', historyPage(page)),
  ]);
  const pages = pageCount(total, page, 'The incident history matching this filter');
  return {
    month: null,
    label: 'all months',
    filter,
    incidents: incidentsFor(v, views),
    maintenance: [],
    newer: null,
    older: null,
    page,
    pages,
    total,
  };
}
