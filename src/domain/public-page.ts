// What the public pages show, assembled from the database. Everything here is public by design:
// only fields meant for readers are selected. Query cost is bounded by the uptime window and the
// recent-history window, never by the whole history.
import { and, asc, desc, gte, isNull, lt, sql } from 'drizzle-orm';
import { componentStatusChanges, incidents } from '../db/schema/index.ts';
import type { DbOrTx } from '../db/client.ts';
import { listComponents, listGroups, type Component, type ComponentGroup } from './components.ts';
import { loadIncidentViews, publicIncident, type IncidentView } from './incidents.ts';
import {
  loadActiveMaintenance,
  loadMaintenanceBetween,
  loadUpcomingMaintenance,
  type MaintenanceView,
} from './maintenance.ts';
import { overallStatus, worstComponentState, type ComponentState, type OverallStatus } from './status.ts';
import { computeUptime, DAY_MS, startOfUtcDay, UPTIME_DAYS, type StatusChange, type Uptime } from './uptime.ts';

export const RECENT_HISTORY_DAYS = 7;

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

/** Each component's state history from `windowStart` on (uptime bars, SLA impact). */
export async function statusHistorySince(db: DbOrTx, windowStart: number): Promise<Map<number, StatusChange[]>> {
  // The state each component was in when the window opened, then every change inside it.
  const before = await db.all<{ component_id: number; status: string; changed_at: number }>(sql`
    SELECT component_id, status, changed_at FROM (
      SELECT component_id, status, changed_at,
             row_number() OVER (PARTITION BY component_id ORDER BY changed_at DESC, id DESC) AS rn
      FROM component_status_changes WHERE changed_at < ${windowStart}
    ) WHERE rn = 1`);
  const inside = await db
    .select({
      componentId: componentStatusChanges.componentId,
      status: componentStatusChanges.status,
      changedAt: componentStatusChanges.changedAt,
    })
    .from(componentStatusChanges)
    .where(gte(componentStatusChanges.changedAt, windowStart))
    .orderBy(asc(componentStatusChanges.changedAt), asc(componentStatusChanges.id));
  const history = new Map<number, StatusChange[]>();
  const push = (id: number, change: StatusChange) => {
    const list = history.get(id) ?? [];
    list.push(change);
    history.set(id, list);
  };
  for (const row of before)
    push(Number(row.component_id), { status: row.status as ComponentState, changedAt: Number(row.changed_at) });
  for (const row of inside) push(row.componentId, { status: row.status, changedAt: row.changedAt });
  return history;
}

export async function loadComponentViews(
  db: DbOrTx,
  now: number,
): Promise<{ groups: GroupView[]; ungrouped: ComponentView[] }> {
  const [groups, comps, history] = await Promise.all([
    listGroups(db),
    listComponents(db),
    statusHistorySince(db, startOfUtcDay(now) - (UPTIME_DAYS - 1) * DAY_MS),
  ]);
  const views: ComponentView[] = comps.map((c) => ({
    ...c,
    status: c.status,
    uptime: computeUptime(history.get(c.id) ?? [], now),
  }));
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

/** Unresolved incidents; drafts only for staff. */
export async function loadActiveIncidents(
  db: DbOrTx,
  options: { includeDrafts?: boolean } = {},
): Promise<IncidentView[]> {
  const open = isNull(incidents.resolvedAt);
  const rows = await db
    .select()
    .from(incidents)
    .where(options.includeDrafts ? open : and(open, publicIncident))
    .orderBy(desc(incidents.startedAt));
  return loadIncidentViews(db, rows);
}

/** Incidents that started in [from, to), grouped by the UTC day they started, newest day first. */
export async function loadIncidentDays(db: DbOrTx, from: number, to: number): Promise<HistoryDay[]> {
  const rows = await db
    .select()
    .from(incidents)
    .where(and(gte(incidents.startedAt, from), lt(incidents.startedAt, to), publicIncident))
    .orderBy(desc(incidents.startedAt));
  const views = await loadIncidentViews(db, rows);
  const days: HistoryDay[] = [];
  for (let dayStart = startOfUtcDay(to - 1); dayStart >= from; dayStart -= DAY_MS) {
    days.push({
      date: new Date(dayStart).toISOString().slice(0, 10),
      incidents: views.filter((v) => v.startedAt >= dayStart && v.startedAt < dayStart + DAY_MS),
    });
  }
  return days;
}

export async function loadStatusPage(db: DbOrTx, now = Date.now()): Promise<StatusPageView> {
  const recentFrom = startOfUtcDay(now) - (RECENT_HISTORY_DAYS - 1) * DAY_MS;
  const [{ groups, ungrouped }, activeIncidents, recentDays, activeMaintenance, upcomingMaintenance] =
    await Promise.all([
      loadComponentViews(db, now),
      loadActiveIncidents(db),
      loadIncidentDays(db, recentFrom, startOfUtcDay(now) + DAY_MS),
      loadActiveMaintenance(db),
      loadUpcomingMaintenance(db),
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
  month: string; // YYYY-MM
  label: string;
  incidents: IncidentView[];
  maintenance: MaintenanceView[];
  newer: string | null;
  older: string | null;
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

export async function loadHistoryMonth(db: DbOrTx, month: string, now = Date.now()): Promise<HistoryMonthView> {
  const from = monthStart(month);
  const to = monthStart(shiftMonth(month, 1));
  const rows = await db
    .select()
    .from(incidents)
    .where(and(gte(incidents.startedAt, from), lt(incidents.startedAt, to), publicIncident))
    .orderBy(desc(incidents.startedAt));
  const [oldest] = await db
    .select({ startedAt: incidents.startedAt })
    .from(incidents)
    .where(publicIncident)
    .orderBy(asc(incidents.startedAt))
    .limit(1);
  const current = monthKey(now);
  const older = shiftMonth(month, -1);
  return {
    month,
    label: new Date(from).toLocaleString('en-GB', { month: 'long', year: 'numeric', timeZone: 'UTC' }),
    incidents: await loadIncidentViews(db, rows),
    maintenance: (await loadMaintenanceBetween(db, from, to)).filter((m) => m.status !== 'scheduled'),
    newer: month < current ? shiftMonth(month, 1) : null,
    older: oldest && monthKey(oldest.startedAt) <= older ? older : null,
  };
}
