// What a reader may see: the one rule for audience visibility (issue 20). Every public read —
// pages, fragments, feeds, v2 JSON, badge, widget, calendar, MCP, notifications — asks here.
//   - A component is public unless it (or, having no audiences of its own, its group) is given to
//     audiences; then only their viewers see it.
//   - An incident or a maintenance is seen by whoever sees at least one component it touches; one
//     that touches none is public. Within what is seen, hidden components are left out.
//   - A post-mortem is seen by whoever sees every incident it covers.
// Visibility is worked out when read, from the components, never stored on the incident: no write
// path (posting, alerts, import, maintenance clock) can forget to keep it current. Without
// audiences (the usual case) the conditions are exactly the public ones, so they cost nothing.
import { and, sql, type SQL } from 'drizzle-orm';
import { componentAudiences, components, groupAudiences, incidents, maintenances } from '../../db/schema/index.ts';
import type { DbOrTx } from '../../db/client.ts';
import { publicIncident } from '../public-incident.ts';
import { isPublicViewer, PUBLIC_VIEWER, type Viewer } from './viewer.ts';

export interface Visibility {
  viewer: Viewer;
  /** Components this reader may not see, ascending. Empty when nothing is given to audiences. */
  hiddenComponentIds: readonly number[];
  /** Groups given to audiences this reader is not in. */
  hiddenGroupIds: readonly number[];
}

/** Nothing hidden: staff views and pages without audiences. */
export const EVERYTHING: Visibility = Object.freeze({
  viewer: PUBLIC_VIEWER,
  hiddenComponentIds: Object.freeze([]),
  hiddenGroupIds: Object.freeze([]),
});

/** The components and groups hidden from `viewer` (two small reads, and the components when any is given). */
export async function loadVisibility(db: DbOrTx, viewer: Viewer): Promise<Visibility> {
  const [own, byGroup] = await Promise.all([db.select().from(componentAudiences), db.select().from(groupAudiences)]);
  if (own.length === 0 && byGroup.length === 0) return { ...EVERYTHING, viewer };
  const comps = await db.select({ id: components.id, groupId: components.groupId }).from(components);
  const admitted = new Set(viewer.audienceIds);
  const audiencesOf = (rows: { audienceId: number }[]) => rows.map((r) => r.audienceId);
  const groupRules = groupBy(byGroup, (r) => r.groupId);
  const componentRules = groupBy(own, (r) => r.componentId);
  const sees = (allowed: number[]) => allowed.some((id) => admitted.has(id));
  const hiddenGroupIds = [...groupRules].filter(([, rows]) => !sees(audiencesOf(rows))).map(([id]) => id);
  const hiddenComponentIds = comps
    .filter((c) => {
      const rules = componentRules.get(c.id) ?? (c.groupId === null ? undefined : groupRules.get(c.groupId));
      return rules !== undefined && !sees(audiencesOf(rules));
    })
    .map((c) => c.id);
  return {
    viewer,
    hiddenComponentIds: hiddenComponentIds.sort((a, b) => a - b),
    hiddenGroupIds: hiddenGroupIds.sort((a, b) => a - b),
  };
}

/** What the public sees (no viewer). */
export function loadPublicVisibility(db: DbOrTx): Promise<Visibility> {
  return loadVisibility(db, PUBLIC_VIEWER);
}

function groupBy<T, K>(rows: T[], key: (row: T) => K): Map<K, T[]> {
  const map = new Map<K, T[]>();
  for (const row of rows) {
    const k = key(row);
    const list = map.get(k);
    if (list) list.push(row);
    else map.set(k, [row]);
  }
  return map;
}

export function hidesAnything(v: Visibility): boolean {
  return v.hiddenComponentIds.length > 0;
}

export function componentVisible(v: Visibility, componentId: number): boolean {
  return !v.hiddenComponentIds.includes(componentId);
}

/** `items` without those on hidden components (component lists, affected components, choices). */
export function visibleComponents<T>(v: Visibility, items: readonly T[], idOf: (item: T) => number): T[] {
  if (!hidesAnything(v)) return [...items];
  const hidden = new Set(v.hiddenComponentIds);
  return items.filter((item) => !hidden.has(idOf(item)));
}

/** Whether something touching `componentIds` is seen (incidents, maintenance). */
export function touchesVisible(v: Visibility, componentIds: readonly number[]): boolean {
  return componentIds.length === 0 || componentIds.some((id) => componentVisible(v, id));
}

const idList = (ids: readonly number[]) =>
  sql.join(
    ids.map((id) => sql.raw(String(Math.trunc(id)))),
    sql`, `,
  );

/** The SQL twin of touchesVisible for incidents: published, and touching a visible component or none. */
export function visibleIncident(v: Visibility): SQL {
  const touches = incidentTouchesVisible(v);
  return touches ? and(publicIncident, touches)! : publicIncident;
}

/**
 * The audience half of visibleIncident alone (undefined when nothing is hidden), for queries that
 * state the published condition their own way to steer SQLite's choice of index.
 */
export function incidentTouchesVisible(v: Visibility): SQL | undefined {
  if (!hidesAnything(v)) return undefined;
  const touched = sql`SELECT 1 FROM incident_updates vu JOIN incident_update_components vc ON vc.update_id = vu.id WHERE vu.incident_id = ${incidents.id}`;
  return sql`(NOT EXISTS (${touched}) OR EXISTS (${touched} AND vc.component_id NOT IN (${idList(v.hiddenComponentIds)})))`;
}

/** The SQL twin of touchesVisible for maintenance windows. */
export function visibleMaintenance(v: Visibility): SQL {
  if (!hidesAnything(v)) return sql`1 = 1`;
  const touched = sql`SELECT 1 FROM maintenance_components vm WHERE vm.maintenance_id = ${maintenances.id}`;
  return sql`(NOT EXISTS (${touched}) OR EXISTS (${touched} AND vm.component_id NOT IN (${idList(v.hiddenComponentIds)})))`;
}

/** A post-mortem is seen only by whoever sees every incident it covers. */
export function postmortemVisible(
  coveredIncidentIds: readonly number[],
  visibleIncidentIds: ReadonlySet<number>,
): boolean {
  return coveredIncidentIds.every((id) => visibleIncidentIds.has(id));
}

/** With the whole-site switch on, the public sees nothing at all: only admitted viewers read. */
export function mayReadSite(privateSite: boolean, viewer: Viewer): boolean {
  return !privateSite || !isPublicViewer(viewer);
}
