// Atlassian Statuspage's public formats (the /api/v2/*.json endpoints and the webhook bodies):
// field names, enumerations and ordering as Statuspage documents them, so clients, aggregators
// and monitoring tools written for Statuspage read Candor unchanged. Only public data goes in.
import { and, desc, isNull, max } from 'drizzle-orm';
import {
  components as componentsTable,
  incidents as incidentsTable,
  maintenances as maintenancesTable,
} from '../db/schema/index.ts';
import type { DbOrTx } from '../db/client.ts';
import { listComponents, listGroups, type Component, type ComponentGroup } from './components.ts';
import { loadIncidentViews, publicIncident } from './incidents.ts';
import { incidentSnapshot, type IncidentSnapshot, type PageSnapshot } from './notify/events.ts';
import {
  loadActiveMaintenance,
  loadRecentMaintenance,
  loadUpcomingMaintenance,
  type MaintenancePayload,
} from './maintenance.ts';
import { incidentLink, maintenanceLink, type MessageContext } from './notify/links.ts';
import { overallStatus, worstComponentState, type OverallStatus } from './status.ts';
import { isoOrNull as iso } from './format.ts';

/** Statuspage ids are strings; groups get their own prefix so they never collide with components. */
export const componentCode = (id: number) => String(id);
const groupCode = (id: number) => `group-${id}`;

export function pageId(ctx: MessageContext): string {
  return new URL(ctx.publicUrl).host;
}

export function pageJson(ctx: MessageContext, updatedAt: number | null) {
  return { id: pageId(ctx), name: ctx.siteName, url: ctx.publicUrl, time_zone: 'Etc/UTC', updated_at: iso(updatedAt) };
}

/** Statuspage's indicator is none, minor, major or critical; maintenance alone reads as "none". */
export function statusJson(status: OverallStatus) {
  return { indicator: status.indicator === 'maintenance' ? 'none' : status.indicator, description: status.description };
}

/** The page summary a webhook carries (Statuspage's webhook `page` object). */
export function webhookPageJson(ctx: MessageContext, page: PageSnapshot | undefined) {
  return {
    id: pageId(ctx),
    name: ctx.siteName,
    url: ctx.publicUrl,
    status_indicator: page?.indicator ?? 'none',
    status_description: page?.description ?? '',
  };
}

export function incidentJson(ctx: MessageContext, incident: IncidentSnapshot) {
  const firstAt = (status: string) => {
    const times = incident.updates.filter((u) => u.status === status).map((u) => u.displayAt);
    return times.length ? iso(Math.min(...times)) : null;
  };
  return {
    id: String(incident.id),
    name: incident.title,
    status: incident.status,
    impact: incident.impact,
    created_at: iso(incident.createdAt),
    updated_at: iso(incident.updatedAt),
    started_at: iso(incident.startedAt),
    monitoring_at: firstAt('monitoring'),
    resolved_at: iso(incident.resolvedAt),
    shortlink: incidentLink(ctx, incident.id),
    page_id: pageId(ctx),
    incident_updates: incident.updates.map((u) => ({
      id: String(u.id),
      incident_id: String(incident.id),
      status: u.status,
      body: u.body,
      created_at: iso(u.createdAt),
      updated_at: iso(u.createdAt),
      display_at: iso(u.displayAt),
      affected_components: u.affected.map((a) => ({
        code: componentCode(a.componentId),
        name: a.name,
        old_status: a.oldStatus,
        new_status: a.newStatus,
      })),
    })),
    components: incident.components.map((c) => ({ id: componentCode(c.id), name: c.name, status: c.status })),
  };
}

/** A maintenance in Statuspage's shape: an incident with impact "maintenance" and its window. */
export function maintenanceJson(ctx: MessageContext, m: MaintenancePayload['maintenance']) {
  const code = `maintenance-${m.id}`;
  return {
    id: code,
    name: m.title,
    status: m.status,
    created_at: iso(m.createdAt),
    updated_at: iso(m.updatedAt),
    monitoring_at: null,
    resolved_at: iso(m.completedAt),
    impact: 'maintenance',
    shortlink: maintenanceLink(ctx, m.id),
    started_at: iso(m.startedAt ?? m.scheduledFor),
    page_id: pageId(ctx),
    scheduled_for: iso(m.scheduledFor),
    scheduled_until: iso(m.scheduledUntil),
    incident_updates: m.updates.map((u) => ({
      id: `${code}-${u.id}`,
      incident_id: code,
      status: u.status,
      body: u.body,
      created_at: iso(u.createdAt),
      updated_at: iso(u.createdAt),
      display_at: iso(u.createdAt),
      affected_components: [],
    })),
    components: m.components.map((c) => ({ id: componentCode(c.id), name: c.name, status: c.status })),
  };
}

function componentJson(ctx: MessageContext, c: Component) {
  return {
    id: componentCode(c.id),
    name: c.name,
    status: c.status,
    created_at: iso(c.createdAt),
    updated_at: iso(c.updatedAt),
    position: c.position,
    description: c.description || null,
    showcase: c.showUptime,
    start_date: iso(c.createdAt)!.slice(0, 10),
    group_id: c.groupId === null ? null : groupCode(c.groupId),
    page_id: pageId(ctx),
    group: false,
    only_show_if_degraded: false,
  };
}

function groupJson(ctx: MessageContext, g: ComponentGroup, members: Component[]) {
  const updatedAt = Math.max(g.createdAt, ...members.map((m) => m.updatedAt));
  return {
    id: groupCode(g.id),
    name: g.name,
    status: worstComponentState(members.map((m) => m.status)),
    created_at: iso(g.createdAt),
    updated_at: iso(updatedAt),
    position: g.position,
    description: g.description || null,
    showcase: false,
    start_date: null,
    group_id: null,
    page_id: pageId(ctx),
    group: true,
    only_show_if_degraded: false,
    components: members.map((m) => componentCode(m.id)),
  };
}

export type ComponentJson = ReturnType<typeof componentJson> | ReturnType<typeof groupJson>;

/** Groups (with their members' ids) and components, in page order: each group followed by its members. */
export async function loadComponentsJson(db: DbOrTx, ctx: MessageContext): Promise<ComponentJson[]> {
  const [groups, comps] = await Promise.all([listGroups(db), listComponents(db)]);
  const out: ComponentJson[] = [];
  const grouped = new Set<number>();
  for (const g of groups) {
    const members = comps.filter((c) => c.groupId === g.id);
    if (members.length === 0) continue;
    out.push(groupJson(ctx, g, members));
    for (const m of members) {
      out.push(componentJson(ctx, m));
      grouped.add(m.id);
    }
  }
  for (const c of comps) if (!grouped.has(c.id)) out.push(componentJson(ctx, c));
  return out;
}

/** Statuspage lists the 50 most recent incidents. */
export const INCIDENT_LIST_LIMIT = 50;

export async function loadIncidentsJson(db: DbOrTx, ctx: MessageContext, which: 'recent' | 'unresolved') {
  const rows = await db
    .select()
    .from(incidentsTable)
    .where(which === 'unresolved' ? and(isNull(incidentsTable.resolvedAt), publicIncident) : publicIncident)
    .orderBy(desc(incidentsTable.createdAt), desc(incidentsTable.id))
    .limit(INCIDENT_LIST_LIMIT);
  const views = await loadIncidentViews(db, rows);
  return views.map((v) => incidentJson(ctx, incidentSnapshot(v)));
}

/** When anything on the page last changed. */
export async function pageUpdatedAt(db: DbOrTx): Promise<number | null> {
  const [[c], [i], [m]] = await Promise.all([
    db.select({ at: max(componentsTable.updatedAt) }).from(componentsTable),
    db
      .select({ at: max(incidentsTable.updatedAt) })
      .from(incidentsTable)
      .where(publicIncident),
    db.select({ at: max(maintenancesTable.updatedAt) }).from(maintenancesTable),
  ]);
  const times = [c?.at, i?.at, m?.at].filter((t): t is number => typeof t === 'number');
  return times.length ? Math.max(...times) : null;
}

export async function loadStatus(db: DbOrTx, componentsJson?: ComponentJson[]): Promise<OverallStatus> {
  const states = componentsJson
    ? componentsJson.filter((c) => !c.group).map((c) => c.status)
    : (await listComponents(db)).map((c) => c.status);
  const open = await db
    .select({ impact: incidentsTable.impact })
    .from(incidentsTable)
    .where(and(isNull(incidentsTable.resolvedAt), publicIncident));
  return overallStatus(
    states,
    open.map((o) => o.impact),
  );
}

// ---------------------------------------------------------------- the /api/v2 documents

async function pageOf(db: DbOrTx, ctx: MessageContext) {
  return pageJson(ctx, await pageUpdatedAt(db));
}

export async function statusDocument(db: DbOrTx, ctx: MessageContext) {
  return { page: await pageOf(db, ctx), status: statusJson(await loadStatus(db)) };
}

export async function componentsDocument(db: DbOrTx, ctx: MessageContext) {
  return { page: await pageOf(db, ctx), components: await loadComponentsJson(db, ctx) };
}

export async function incidentsDocument(db: DbOrTx, ctx: MessageContext, which: 'recent' | 'unresolved') {
  return { page: await pageOf(db, ctx), incidents: await loadIncidentsJson(db, ctx, which) };
}

/** Statuspage has no "cancelled": a called-off window leaves the lists, as a deleted one does there. */
export async function loadMaintenancesJson(db: DbOrTx, ctx: MessageContext, which: 'recent' | 'upcoming' | 'active') {
  const views =
    which === 'upcoming'
      ? await loadUpcomingMaintenance(db)
      : which === 'active'
        ? await loadActiveMaintenance(db)
        : await loadRecentMaintenance(db, INCIDENT_LIST_LIMIT);
  return views.filter((m) => m.status !== 'cancelled').map((m) => maintenanceJson(ctx, m));
}

export async function maintenancesDocument(db: DbOrTx, ctx: MessageContext, which: 'recent' | 'upcoming' | 'active') {
  return { page: await pageOf(db, ctx), scheduled_maintenances: await loadMaintenancesJson(db, ctx, which) };
}

export async function summaryDocument(db: DbOrTx, ctx: MessageContext) {
  const [page, components, incidents, active, upcoming] = await Promise.all([
    pageOf(db, ctx),
    loadComponentsJson(db, ctx),
    loadIncidentsJson(db, ctx, 'unresolved'),
    loadMaintenancesJson(db, ctx, 'active'),
    loadMaintenancesJson(db, ctx, 'upcoming'),
  ]);
  return {
    page,
    components,
    incidents,
    scheduled_maintenances: [...active, ...upcoming],
    status: statusJson(await loadStatus(db, components)),
  };
}
