// Atlassian Statuspage's public formats (the /api/v2/*.json endpoints and the webhook bodies):
// field names, enumerations and ordering as Statuspage documents them, so clients, aggregators
// and monitoring tools written for Statuspage read Candor unchanged. Only public data goes in.
import { and, desc, isNull, max, notInArray } from 'drizzle-orm';
import {
  components as componentsTable,
  incidents as incidentsTable,
  maintenances as maintenancesTable,
} from '../db/schema/index.ts';
import type { DbOrTx } from '../db/client.ts';
import { componentsById, loadComponentRecords, qualifiedName, type ComponentRecord } from './component-records.ts';
import { loadIncidentList } from './incidents.ts';
import { hidesAnything, visibleIncident, visibleMaintenance, type Visibility } from './audiences/visibility.ts';
import { componentRecordsFor, incidentsFor } from './audiences/visible-views.ts';
import {
  announcedUpdateIds,
  incidentSnapshot,
  loadIncidentContext,
  pageSnapshot,
  type AffectedSnapshot,
  type IncidentSnapshot,
  type PageSnapshot,
} from './notify/events.ts';
import {
  loadActiveMaintenance,
  loadRecentMaintenance,
  loadUpcomingMaintenance,
  type MaintenancePayload,
} from './maintenance.ts';
import { incidentLink, maintenanceLink, postmortemLink, type MessageContext } from './notify/links.ts';
import type { ComponentState, MaintenanceStatus, OverallStatus } from './status.ts';

type MaintenanceSnapshot = Omit<MaintenancePayload['maintenance'], 'updates'> & {
  updates: (Omit<MaintenancePayload['maintenance']['updates'][number], 'affected'> & {
    affected?: AffectedSnapshot[];
  })[];
};
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

/** The page summary a webhook carries (Statuspage's webhook `page` object). */
export function webhookPageJson(ctx: MessageContext, page: PageSnapshot) {
  return {
    id: pageId(ctx),
    name: ctx.siteName,
    url: ctx.publicUrl,
    status_indicator: page.indicator,
    status_description: page.description,
  };
}

/** A component or group with every key components.json has; `status` as of the message. */
export function componentJson(ctx: MessageContext, r: ComponentRecord, status: ComponentState = r.status) {
  return {
    id: r.group ? groupCode(r.id) : componentCode(r.id),
    name: r.name,
    status,
    created_at: iso(r.createdAt),
    updated_at: iso(r.updatedAt),
    position: r.position,
    description: r.description || null,
    showcase: r.showcase,
    start_date: r.group ? null : iso(r.createdAt)!.slice(0, 10),
    group_id: r.groupId === null ? null : groupCode(r.groupId),
    page_id: pageId(ctx),
    group: r.group,
    only_show_if_degraded: false,
    ...(r.group ? { components: r.members.map(componentCode) } : {}),
  };
}

export type ComponentJson = ReturnType<typeof componentJson>;

/**
 * A record for a component a message snapshot names without one (a message queued before records
 * were kept): what the snapshot knows, the page-wide fields at their neutral values.
 */
function bareRecord(c: { id: number; name: string; status: ComponentState }, at: number): ComponentRecord {
  return bareRecordOf({ ...c, createdAt: at, updatedAt: at });
}

export function bareRecordOf(c: {
  id: number;
  name: string;
  status: ComponentState;
  createdAt: number;
  updatedAt: number;
}): ComponentRecord {
  const base = { group: false, groupName: null, groupId: null, description: '', position: 0, showcase: false };
  return { ...base, ...c, members: [] };
}

/** An update's component changes in page order, members named "Group - Component". */
function affectedJson(affected: AffectedSnapshot[], records: Map<number, ComponentRecord>) {
  const position = (a: AffectedSnapshot) => records.get(a.componentId)?.position ?? Infinity;
  return [...affected]
    .sort((a, b) => position(a) - position(b))
    .map((a) => {
      const record = records.get(a.componentId);
      return {
        code: componentCode(a.componentId),
        name: record ? qualifiedName(record) : a.name,
        old_status: a.oldStatus,
        new_status: a.newStatus,
      };
    });
}

/** Statuspage's fields for what Candor does not do (tweets) or does not have (backfilling). */
const UPDATE_EXTRAS = { custom_tweet: null, tweet_id: null } as const;

export function incidentJson(ctx: MessageContext, incident: IncidentSnapshot) {
  const firstAt = (status: string) => {
    const times = incident.updates.filter((u) => u.status === status).map((u) => u.displayAt);
    return times.length ? iso(Math.min(...times)) : null;
  };
  const records = componentsById(incident.records ?? []);
  const pm = incident.postmortem ?? null;
  return {
    id: String(incident.id),
    name: incident.title,
    status: incident.status,
    impact: incident.impact,
    // Candor's impact is always chosen by people, never computed from components.
    impact_override: incident.impact,
    created_at: iso(incident.createdAt),
    updated_at: iso(incident.updatedAt),
    started_at: iso(incident.startedAt),
    monitoring_at: firstAt('monitoring'),
    resolved_at: iso(incident.resolvedAt),
    shortlink: incidentLink(ctx, incident.id),
    page_id: pageId(ctx),
    backfilled: false,
    scheduled_for: null,
    scheduled_until: null,
    scheduled_remind_prior: false,
    scheduled_reminded_at: null,
    scheduled_auto_in_progress: false,
    scheduled_auto_completed: false,
    reminder_intervals: null,
    // The published RCA that covers the incident: its public summary, linked to the full report.
    postmortem_body: pm ? `${pm.summary}\n\n[Read the full report](${postmortemLink(ctx, pm.slug)})` : null,
    postmortem_body_last_updated_at: iso(pm?.lastPublishedAt ?? null),
    postmortem_published_at: iso(pm?.firstPublishedAt ?? null),
    postmortem_ignored: false,
    // Publishing an RCA tells the incident's subscribers (postmortem.published).
    postmortem_notified_subscribers: pm !== null,
    postmortem_notified_twitter: false,
    incident_updates: incident.updates.map((u) => ({
      id: String(u.id),
      incident_id: String(incident.id),
      status: u.status,
      body: u.body,
      created_at: iso(u.createdAt),
      // A corrected text is an update of the update (Statuspage moves updated_at on edits too).
      updated_at: iso(u.editedAt ?? u.createdAt),
      display_at: iso(u.displayAt),
      affected_components: affectedJson(u.affected, records),
      deliver_notifications: u.notified ?? false,
      ...UPDATE_EXTRAS,
    })),
    components: incident.components.map((c) =>
      componentJson(ctx, records.get(c.id) ?? bareRecord(c, incident.updatedAt), c.status),
    ),
  };
}

/** Statuspage has no "cancelled": a called-off window is told as completed (the update says why). */
const statuspageMaintenanceStatus = (status: MaintenanceStatus) => (status === 'cancelled' ? 'completed' : status);

/**
 * A maintenance in Statuspage's shape: an incident with impact "maintenance" and its window.
 * Snapshots queued before updates recorded their component changes have none to tell.
 */
export function maintenanceJson(ctx: MessageContext, m: MaintenanceSnapshot, recordList: ComponentRecord[] = []) {
  const code = `maintenance-${m.id}`;
  const records = componentsById(recordList);
  return {
    id: code,
    name: m.title,
    status: statuspageMaintenanceStatus(m.status),
    impact: 'maintenance',
    impact_override: null,
    created_at: iso(m.createdAt),
    updated_at: iso(m.updatedAt),
    started_at: iso(m.startedAt ?? m.scheduledFor),
    monitoring_at: null,
    resolved_at: iso(m.completedAt ?? (m.status === 'cancelled' ? m.updatedAt : null)),
    shortlink: maintenanceLink(ctx, m.id),
    page_id: pageId(ctx),
    backfilled: false,
    scheduled_for: iso(m.scheduledFor),
    scheduled_until: iso(m.scheduledUntil),
    scheduled_remind_prior: m.remindAt !== null,
    scheduled_reminded_at: iso(m.remindedAt),
    scheduled_auto_in_progress: m.autoStart,
    scheduled_auto_completed: m.autoComplete,
    // Statuspage lists reminders in hours before the start; Candor sends one.
    reminder_intervals: m.remindAt === null ? null : `[${(m.scheduledFor - m.remindAt) / 3_600_000}]`,
    postmortem_body: null,
    postmortem_body_last_updated_at: null,
    postmortem_published_at: null,
    postmortem_ignored: false,
    postmortem_notified_subscribers: false,
    postmortem_notified_twitter: false,
    incident_updates: m.updates.map((u) => ({
      id: `${code}-${u.id}`,
      incident_id: code,
      status: statuspageMaintenanceStatus(u.status),
      body: u.body,
      created_at: iso(u.createdAt),
      updated_at: iso(u.createdAt),
      display_at: iso(u.createdAt),
      affected_components: affectedJson(u.affected ?? [], records),
      deliver_notifications: u.notified ?? false,
      ...UPDATE_EXTRAS,
    })),
    components: m.components.map((c) => componentJson(ctx, records.get(c.id) ?? bareRecord(c, m.updatedAt), c.status)),
  };
}

/** Groups (with their members' ids) and components `v`'s reader sees, sorted by their page position. */
export async function loadComponentsJson(db: DbOrTx, ctx: MessageContext, v: Visibility): Promise<ComponentJson[]> {
  return componentRecordsFor(v, await loadComponentRecords(db)).map((r) => componentJson(ctx, r));
}

/** Statuspage lists the 50 most recent incidents. */
export const INCIDENT_LIST_LIMIT = 50;

export async function loadIncidentsJson(
  db: DbOrTx,
  ctx: MessageContext,
  which: 'recent' | 'unresolved',
  v: Visibility,
) {
  const seen = visibleIncident(v);
  const where = which === 'unresolved' ? and(isNull(incidentsTable.resolvedAt), seen) : seen;
  const views = incidentsFor(v, await loadIncidentList(db, where, 'createdAt', { limit: INCIDENT_LIST_LIMIT }));
  const context = await loadIncidentContext(
    db,
    views.map((i) => i.id),
    v,
  );
  return views.map((i) => incidentJson(ctx, incidentSnapshot(i, context)));
}

/** When anything on the page `v`'s reader sees last changed. */
export async function pageUpdatedAt(db: DbOrTx, v: Visibility): Promise<number | null> {
  // Newest first through an index, one row each: max() over a filter would walk every incident.
  const [[c], [i], [m]] = await Promise.all([
    db
      .select({ at: max(componentsTable.updatedAt) })
      .from(componentsTable)
      .where(hidesAnything(v) ? notInArray(componentsTable.id, [...v.hiddenComponentIds]) : undefined),
    db
      .select({ at: incidentsTable.updatedAt })
      .from(incidentsTable)
      .where(visibleIncident(v))
      .orderBy(desc(incidentsTable.updatedAt))
      .limit(1),
    db
      .select({ at: maintenancesTable.updatedAt })
      .from(maintenancesTable)
      .where(hidesAnything(v) ? visibleMaintenance(v) : undefined)
      .orderBy(desc(maintenancesTable.updatedAt))
      .limit(1),
  ]);
  const times = [c?.at, i?.at, m?.at].filter((t): t is number => typeof t === 'number');
  return times.length ? Math.max(...times) : null;
}

/** The page's indicator and description: the same everywhere (status.json, summary, widget, badge, webhooks). */
export const loadStatus = (db: DbOrTx, v: Visibility): Promise<OverallStatus> => pageSnapshot(db, v);

// ---------------------------------------------------------------- the /api/v2 documents

async function pageOf(db: DbOrTx, ctx: MessageContext, v: Visibility) {
  return pageJson(ctx, await pageUpdatedAt(db, v));
}

export async function statusDocument(db: DbOrTx, ctx: MessageContext, v: Visibility) {
  return { page: await pageOf(db, ctx, v), status: await loadStatus(db, v) };
}

export async function componentsDocument(db: DbOrTx, ctx: MessageContext, v: Visibility) {
  return { page: await pageOf(db, ctx, v), components: await loadComponentsJson(db, ctx, v) };
}

export async function incidentsDocument(
  db: DbOrTx,
  ctx: MessageContext,
  v: Visibility,
  which: 'recent' | 'unresolved',
) {
  return { page: await pageOf(db, ctx, v), incidents: await loadIncidentsJson(db, ctx, which, v) };
}

/** Statuspage has no "cancelled": a called-off window leaves the lists, as a deleted one does there. */
export async function loadMaintenancesJson(
  db: DbOrTx,
  ctx: MessageContext,
  which: 'recent' | 'upcoming' | 'active',
  v: Visibility,
) {
  const [views, allRecords] = await Promise.all([
    which === 'upcoming'
      ? loadUpcomingMaintenance(db, v)
      : which === 'active'
        ? loadActiveMaintenance(db, v)
        : loadRecentMaintenance(db, INCIDENT_LIST_LIMIT, v),
    loadComponentRecords(db),
  ]);
  const records = componentRecordsFor(v, allRecords);
  const listed = views.filter((m) => m.status !== 'cancelled');
  const announced = await announcedUpdateIds(
    db,
    'maintenance',
    listed.map((m) => m.id),
  );
  return listed.map((m) =>
    maintenanceJson(ctx, { ...m, updates: m.updates.map((u) => ({ ...u, notified: announced.has(u.id) })) }, records),
  );
}

export async function maintenancesDocument(
  db: DbOrTx,
  ctx: MessageContext,
  v: Visibility,
  which: 'recent' | 'upcoming' | 'active',
) {
  return { page: await pageOf(db, ctx, v), scheduled_maintenances: await loadMaintenancesJson(db, ctx, which, v) };
}

export async function summaryDocument(db: DbOrTx, ctx: MessageContext, v: Visibility) {
  const [page, components, incidents, active, upcoming] = await Promise.all([
    pageOf(db, ctx, v),
    loadComponentsJson(db, ctx, v),
    loadIncidentsJson(db, ctx, 'unresolved', v),
    loadMaintenancesJson(db, ctx, 'active', v),
    loadMaintenancesJson(db, ctx, 'upcoming', v),
  ]);
  return {
    page,
    components,
    incidents,
    scheduled_maintenances: [...active, ...upcoming],
    status: await loadStatus(db, v),
  };
}
