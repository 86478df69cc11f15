// Reading maintenance windows: views with their components and updates, the active, upcoming and
// recent ones, those in a period, and pages for the API.
import { and, asc, count, desc, eq, gte, inArray, lt } from 'drizzle-orm';
import {
  components,
  maintenanceComponents,
  maintenances,
  maintenanceUpdateComponents,
  maintenanceUpdates,
} from '../db/schema/index.ts';
import type { DbOrTx } from '../db/client.ts';
import { NotFoundError } from './errors.ts';
import { visibleMaintenance, type Visibility } from './audiences/visibility.ts';
import { maintenancesFor } from './audiences/visible-views.ts';
import type { MaintenanceRow, MaintenanceView } from './maintenance-schemas.ts';

export async function loadMaintenanceViews(db: DbOrTx, rows: MaintenanceRow[]): Promise<MaintenanceView[]> {
  if (rows.length === 0) return [];
  const ids = rows.map((r) => r.id);
  const [links, updates, affected] = await Promise.all([
    db
      .select({
        maintenanceId: maintenanceComponents.maintenanceId,
        id: components.id,
        name: components.name,
        status: components.status,
      })
      .from(maintenanceComponents)
      .innerJoin(components, eq(components.id, maintenanceComponents.componentId))
      .where(inArray(maintenanceComponents.maintenanceId, ids))
      .orderBy(asc(components.position), asc(components.id)),
    db
      .select()
      .from(maintenanceUpdates)
      .where(inArray(maintenanceUpdates.maintenanceId, ids))
      .orderBy(desc(maintenanceUpdates.createdAt), desc(maintenanceUpdates.id)),
    db
      .select({
        maintenanceId: maintenanceUpdates.maintenanceId,
        updateId: maintenanceUpdateComponents.updateId,
        componentId: maintenanceUpdateComponents.componentId,
        name: components.name,
        oldStatus: maintenanceUpdateComponents.oldStatus,
        newStatus: maintenanceUpdateComponents.newStatus,
      })
      .from(maintenanceUpdateComponents)
      .innerJoin(maintenanceUpdates, eq(maintenanceUpdates.id, maintenanceUpdateComponents.updateId))
      .innerJoin(components, eq(components.id, maintenanceUpdateComponents.componentId))
      .where(inArray(maintenanceUpdates.maintenanceId, ids))
      .orderBy(asc(components.position), asc(components.id)),
  ]);
  return rows.map((r) => ({
    ...r,
    status: r.status,
    components: links
      .filter((l) => l.maintenanceId === r.id)
      .map((l) => ({ id: l.id, name: l.name, status: l.status })),
    updates: updates
      .filter((u) => u.maintenanceId === r.id)
      .map((u) => ({
        id: u.id,
        status: u.status,
        body: u.body,
        createdAt: u.createdAt,
        authorName: u.authorName,
        affected: affected
          .filter((a) => a.updateId === u.id)
          .map(({ componentId, name, oldStatus, newStatus }) => ({ componentId, name, oldStatus, newStatus })),
      })),
  }));
}

export async function getMaintenance(db: DbOrTx, id: number): Promise<MaintenanceView> {
  const [row] = await db.select().from(maintenances).where(eq(maintenances.id, id));
  if (!row) throw new NotFoundError('maintenance', id);
  return (await loadMaintenanceViews(db, [row]))[0];
}

/** The windows `v`'s reader sees among `rows`, with hidden components left out (staff: EVERYTHING). */
async function viewsFor(db: DbOrTx, v: Visibility, rows: MaintenanceRow[]): Promise<MaintenanceView[]> {
  return maintenancesFor(v, await loadMaintenanceViews(db, rows));
}

/** The window `id` if `v`'s reader sees it, with hidden components left out; NotFoundError otherwise. */
export async function getVisibleMaintenance(db: DbOrTx, id: number, v: Visibility): Promise<MaintenanceView> {
  const [row] = await db
    .select()
    .from(maintenances)
    .where(and(eq(maintenances.id, id), visibleMaintenance(v)));
  if (!row) throw new NotFoundError('maintenance', id);
  const [view] = await viewsFor(db, v, [row]);
  if (!view) throw new NotFoundError('maintenance', id);
  return view;
}

/** In progress or verifying, earliest first. */
export async function loadActiveMaintenance(db: DbOrTx, v: Visibility): Promise<MaintenanceView[]> {
  const rows = await db
    .select()
    .from(maintenances)
    .where(and(inArray(maintenances.status, ['in_progress', 'verifying']), visibleMaintenance(v)))
    .orderBy(asc(maintenances.scheduledFor));
  return viewsFor(db, v, rows);
}

/** Announced and not started yet, soonest first. */
export async function loadUpcomingMaintenance(db: DbOrTx, v: Visibility): Promise<MaintenanceView[]> {
  const rows = await db
    .select()
    .from(maintenances)
    .where(and(eq(maintenances.status, 'scheduled'), visibleMaintenance(v)))
    .orderBy(asc(maintenances.scheduledFor));
  return viewsFor(db, v, rows);
}

/** The latest windows (any state), newest first: the API's list and the calendar. */
export async function loadRecentMaintenance(db: DbOrTx, limit: number, v: Visibility): Promise<MaintenanceView[]> {
  const rows = await db
    .select()
    .from(maintenances)
    .where(visibleMaintenance(v))
    .orderBy(desc(maintenances.scheduledFor), desc(maintenances.id))
    .limit(limit);
  return viewsFor(db, v, rows);
}

/** Windows that opened in [from, to), newest first (history by month). */
export async function loadMaintenanceBetween(
  db: DbOrTx,
  from: number,
  to: number,
  v: Visibility,
): Promise<MaintenanceView[]> {
  const rows = await db
    .select()
    .from(maintenances)
    .where(and(gte(maintenances.scheduledFor, from), lt(maintenances.scheduledFor, to), visibleMaintenance(v)))
    .orderBy(desc(maintenances.scheduledFor));
  return viewsFor(db, v, rows);
}

/** A page of maintenance windows, latest window first, with the total (API lists). */
export async function listMaintenancePage(
  db: DbOrTx,
  offset: number,
  limit: number,
): Promise<{ views: MaintenanceView[]; total: number }> {
  const [rows, [{ total }]] = await Promise.all([
    db
      .select()
      .from(maintenances)
      .orderBy(desc(maintenances.scheduledFor), desc(maintenances.id))
      .limit(limit)
      .offset(offset),
    db.select({ total: count() }).from(maintenances),
  ]);
  return { views: await loadMaintenanceViews(db, rows), total };
}
