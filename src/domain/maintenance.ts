// Scheduled maintenance: announce a window, start and complete it (by hand or on the clock),
// post updates, and keep subscribers of the affected components told through the outbox.
import { and, asc, count, desc, eq, gte, inArray, isNull, lt, lte, or } from 'drizzle-orm';
import { z } from 'zod';
import { components, maintenanceComponents, maintenances, maintenanceUpdates } from '../../db/schema.ts';
import type { Db, DbOrTx } from '../db/client.ts';
import { recordAudit, runAs } from './audit.ts';
import { recordChange } from './changes.ts';
import { applyComponentStates } from './components.ts';
import { ConflictError, InputError, NotFoundError, oneOf, parseInput } from './errors.ts';
import { idSchema, numberInput, timeInput } from './input.ts';
import type { Author } from './incidents.ts';
import { pageSnapshot, type PageSnapshot } from './notify/events.ts';
import type { BroadcastKind } from './notify/kinds.ts';
import { enqueueBroadcast } from './notify/outbox.ts';
import {
  isMaintenanceActive,
  MAINTENANCE_STATUS_LABELS,
  MAINTENANCE_STATUSES,
  MAINTENANCE_TRANSITIONS,
  type ComponentState,
  type MaintenanceStatus,
} from './status.ts';

const MIN = 60_000;
/** Subscribers are reminded this long before a window opens, unless told otherwise. */
export const DEFAULT_REMINDER_MS = 60 * MIN;

export type MaintenanceRow = typeof maintenances.$inferSelect;

export interface MaintenanceView extends Omit<MaintenanceRow, 'status'> {
  status: MaintenanceStatus;
  components: { id: number; name: string; status: ComponentState }[];
  /** Newest first. */
  updates: { id: number; status: MaintenanceStatus; body: string; createdAt: number; authorName: string }[];
}

/** What a maintenance notification says, captured when it happens (see notify/events.ts). */
export interface MaintenancePayload {
  page: PageSnapshot;
  maintenance: Omit<MaintenanceView, 'createdBy' | 'remindAt' | 'remindedAt' | 'autoStart' | 'autoComplete'>;
  /** The update announced, or null for the announcement and the reminder. */
  updateId: number | null;
}

const timeSchema = timeInput();
const componentIdsSchema = z.array(idSchema('must be component ids')).default([]);

export const scheduleSchema = z
  .object({
    title: z.string({ error: 'is required' }).trim().min(1, 'is required').max(200, 'must be at most 200 characters'),
    body: z.string({ error: 'is required' }).trim().min(1, 'is required: say what will happen and what customers will notice').max(20_000),
    scheduledFor: timeSchema,
    scheduledUntil: timeSchema,
    componentIds: componentIdsSchema,
    autoStart: z.boolean().default(true),
    autoComplete: z.boolean().default(true),
    // Minutes before the start to remind subscribers; 0 for no reminder.
    remindMinutes: numberInput(z.number().int('must be whole minutes').min(0).max(7 * 24 * 60), 'must be whole minutes').default(DEFAULT_REMINDER_MS / MIN),
    notify: z.boolean({ error: 'must be true or false' }).default(true),
  })
  .refine((v) => v.scheduledUntil > v.scheduledFor, { path: ['scheduledUntil'], message: 'must be after the start of the window' });

export const maintenanceUpdateSchema = z.object({
  status: oneOf(MAINTENANCE_STATUSES),
  message: z.string({ error: 'is required' }).trim().min(1, 'is required').max(20_000),
  notify: z.boolean({ error: 'must be true or false' }).default(true),
});

// ---------------------------------------------------------------- reads

export async function loadMaintenanceViews(db: DbOrTx, rows: MaintenanceRow[]): Promise<MaintenanceView[]> {
  if (rows.length === 0) return [];
  const ids = rows.map((r) => r.id);
  const [links, updates] = await Promise.all([
    db
      .select({ maintenanceId: maintenanceComponents.maintenanceId, id: components.id, name: components.name, status: components.status })
      .from(maintenanceComponents)
      .innerJoin(components, eq(components.id, maintenanceComponents.componentId))
      .where(inArray(maintenanceComponents.maintenanceId, ids))
      .orderBy(asc(components.position), asc(components.id)),
    db.select().from(maintenanceUpdates).where(inArray(maintenanceUpdates.maintenanceId, ids)).orderBy(desc(maintenanceUpdates.createdAt), desc(maintenanceUpdates.id)),
  ]);
  return rows.map((r) => ({
    ...r,
    status: r.status as MaintenanceStatus,
    components: links.filter((l) => l.maintenanceId === r.id).map((l) => ({ id: l.id, name: l.name, status: l.status as ComponentState })),
    updates: updates
      .filter((u) => u.maintenanceId === r.id)
      .map((u) => ({ id: u.id, status: u.status as MaintenanceStatus, body: u.body, createdAt: u.createdAt, authorName: u.authorName })),
  }));
}

export async function getMaintenance(db: DbOrTx, id: number): Promise<MaintenanceView> {
  const [row] = await db.select().from(maintenances).where(eq(maintenances.id, id));
  if (!row) throw new NotFoundError('maintenance', id);
  return (await loadMaintenanceViews(db, [row]))[0];
}

/** In progress or verifying, earliest first. */
export async function loadActiveMaintenance(db: DbOrTx): Promise<MaintenanceView[]> {
  const rows = await db.select().from(maintenances).where(inArray(maintenances.status, ['in_progress', 'verifying'])).orderBy(asc(maintenances.scheduledFor));
  return loadMaintenanceViews(db, rows);
}

/** Announced and not started yet, soonest first. */
export async function loadUpcomingMaintenance(db: DbOrTx): Promise<MaintenanceView[]> {
  const rows = await db.select().from(maintenances).where(eq(maintenances.status, 'scheduled')).orderBy(asc(maintenances.scheduledFor));
  return loadMaintenanceViews(db, rows);
}

/** The latest windows (any state), newest first: the API's list and the calendar. */
export async function loadRecentMaintenance(db: DbOrTx, limit: number): Promise<MaintenanceView[]> {
  const rows = await db.select().from(maintenances).orderBy(desc(maintenances.scheduledFor), desc(maintenances.id)).limit(limit);
  return loadMaintenanceViews(db, rows);
}

/** Windows that opened in [from, to), newest first (history by month). */
export async function loadMaintenanceBetween(db: DbOrTx, from: number, to: number): Promise<MaintenanceView[]> {
  const rows = await db
    .select()
    .from(maintenances)
    .where(and(gte(maintenances.scheduledFor, from), lt(maintenances.scheduledFor, to)))
    .orderBy(desc(maintenances.scheduledFor));
  return loadMaintenanceViews(db, rows);
}

// ---------------------------------------------------------------- writes

async function notifyMaintenance(tx: DbOrTx, id: number, kind: BroadcastKind, updateId: number | null, now: number): Promise<void> {
  const { createdBy: _c, remindAt: _r, remindedAt: _d, autoStart: _s, autoComplete: _a, ...maintenance } = await getMaintenance(tx, id);
  const payload: MaintenancePayload = { page: await pageSnapshot(tx), maintenance, updateId };
  await enqueueBroadcast(tx, { kind, componentIds: maintenance.components.map((c) => c.id), payload }, now);
}

/** When subscribers are reminded: never, or `remindMinutes` before the start if that is still ahead. */
function reminderTime(data: { scheduledFor: number; remindMinutes: number }, now: number): number | null {
  const at = data.scheduledFor - data.remindMinutes * MIN;
  return data.remindMinutes > 0 && at > now ? at : null;
}

function assertNotOver(scheduledUntil: number, now: number): void {
  if (scheduledUntil <= now) throw new InputError('scheduledUntil: the window is already over; choose a window that ends in the future.');
}

async function assertComponents(tx: DbOrTx, ids: number[]): Promise<void> {
  if (ids.length === 0) return;
  const found = await tx.select({ id: components.id }).from(components).where(inArray(components.id, ids));
  const missing = ids.filter((id) => !found.some((f) => f.id === id));
  if (missing.length) throw new NotFoundError('component', missing);
}

export async function scheduleMaintenance(db: Db, input: unknown, author: Author, now = Date.now()): Promise<MaintenanceView> {
  const data = parseInput(scheduleSchema, input);
  assertNotOver(data.scheduledUntil, now);
  const componentIds = [...new Set(data.componentIds)];
  return db.transaction(async (tx) => {
    await assertComponents(tx, componentIds);
    const [row] = await tx
      .insert(maintenances)
      .values({
        title: data.title,
        body: data.body,
        status: 'scheduled',
        scheduledFor: data.scheduledFor,
        scheduledUntil: data.scheduledUntil,
        autoStart: data.autoStart,
        autoComplete: data.autoComplete,
        remindAt: reminderTime(data, now),
        createdBy: author.id,
        createdAt: now,
        updatedAt: now,
      })
      .returning();
    if (componentIds.length) await tx.insert(maintenanceComponents).values(componentIds.map((componentId) => ({ maintenanceId: row.id, componentId })));
    // The announcement is the first update, as on Statuspage.
    const [update] = await tx
      .insert(maintenanceUpdates)
      .values({ maintenanceId: row.id, status: 'scheduled', body: data.body, createdAt: now, authorId: author.id, authorName: author.name })
      .returning();
    await recordChange(tx, 'maintenance', `maintenance:${row.id}`);
    await recordAudit(tx, { action: 'maintenance.schedule', subjectType: 'maintenance', subjectId: row.id, after: { ...row, componentIds } }, now);
    if (data.notify) await notifyMaintenance(tx, row.id, 'maintenance.scheduled', update.id, now);
    return getMaintenance(tx, row.id);
  });
}

const KIND_FOR_STATUS: Record<MaintenanceStatus, BroadcastKind> = {
  scheduled: 'maintenance.updated',
  in_progress: 'maintenance.started',
  verifying: 'maintenance.updated',
  completed: 'maintenance.completed',
  cancelled: 'maintenance.updated',
};

/**
 * Moves a maintenance on with an update. Starting it puts its components under maintenance
 * (remembering their state); completing it restores each one still under maintenance.
 */
export async function postMaintenanceUpdate(db: Db, id: number, input: unknown, author: Author, now = Date.now()): Promise<MaintenanceView> {
  const data = parseInput(maintenanceUpdateSchema, input);
  return db.transaction(async (tx) => transition(tx, id, data.status, data.message, data.notify, author, now));
}

async function transition(tx: DbOrTx, id: number, status: MaintenanceStatus, message: string, notify: boolean, author: Author, now: number): Promise<MaintenanceView> {
  const [row] = await tx.select().from(maintenances).where(eq(maintenances.id, id));
  if (!row) throw new NotFoundError('maintenance', id);
  const from = row.status as MaintenanceStatus;
  if (!MAINTENANCE_TRANSITIONS[from].includes(status)) {
    throw new ConflictError(`A maintenance that is "${MAINTENANCE_STATUS_LABELS[from]}" cannot become "${MAINTENANCE_STATUS_LABELS[status]}".`);
  }
  const starting = !isMaintenanceActive(from) && isMaintenanceActive(status);
  const ending = isMaintenanceActive(from) && (status === 'completed' || status === 'cancelled');
  await tx
    .update(maintenances)
    .set({
      status,
      updatedAt: now,
      startedAt: starting ? now : row.startedAt,
      completedAt: status === 'completed' ? now : row.completedAt,
      // Calendars pick up a cancellation or a change of state.
      sequence: status !== from ? row.sequence + 1 : row.sequence,
    })
    .where(eq(maintenances.id, id));
  const links = await tx.select().from(maintenanceComponents).where(eq(maintenanceComponents.maintenanceId, id));
  if (starting && links.length) {
    const current = await tx.select({ id: components.id, status: components.status }).from(components).where(inArray(components.id, links.map((l) => l.componentId)));
    for (const c of current) {
      await tx.update(maintenanceComponents).set({ priorStatus: c.status }).where(and(eq(maintenanceComponents.maintenanceId, id), eq(maintenanceComponents.componentId, c.id)));
    }
    await applyComponentStates(tx, new Map(current.map((c) => [c.id, 'under_maintenance' as ComponentState])), now);
  }
  if (ending && links.length) {
    // A component someone moved by hand during the window keeps what they set.
    const current = await tx.select({ id: components.id, status: components.status }).from(components).where(inArray(components.id, links.map((l) => l.componentId)));
    const restore = new Map<number, ComponentState>();
    for (const c of current) {
      const prior = links.find((l) => l.componentId === c.id)?.priorStatus;
      if (c.status === 'under_maintenance') restore.set(c.id, (prior && prior !== 'under_maintenance' ? prior : 'operational') as ComponentState);
    }
    await applyComponentStates(tx, restore, now);
  }
  const [update] = await tx.insert(maintenanceUpdates).values({ maintenanceId: id, status, body: message, createdAt: now, authorId: author.id, authorName: author.name }).returning();
  await recordChange(tx, 'maintenance', `maintenance:${id}`);
  await recordAudit(tx, { action: 'maintenance.update', subjectType: 'maintenance', subjectId: id, before: { status: from }, after: { status, message } }, now);
  if (notify) await notifyMaintenance(tx, id, KIND_FOR_STATUS[status], update.id, now);
  return getMaintenance(tx, id);
}

/** Changes a window not yet started (title, text, times, components); calendars get a new SEQUENCE. */
export async function rescheduleMaintenance(db: Db, id: number, input: unknown, author: Author, now = Date.now()): Promise<MaintenanceView> {
  const data = parseInput(scheduleSchema, input);
  assertNotOver(data.scheduledUntil, now);
  const componentIds = [...new Set(data.componentIds)];
  return db.transaction(async (tx) => {
    const [row] = await tx.select().from(maintenances).where(eq(maintenances.id, id));
    if (!row) throw new NotFoundError('maintenance', id);
    if (row.status !== 'scheduled') throw new ConflictError('Only a maintenance that has not started can be rescheduled; post an update instead.');
    await assertComponents(tx, componentIds);
    const remindAt = reminderTime(data, now);
    await tx
      .update(maintenances)
      .set({
        title: data.title,
        body: data.body,
        scheduledFor: data.scheduledFor,
        scheduledUntil: data.scheduledUntil,
        autoStart: data.autoStart,
        autoComplete: data.autoComplete,
        remindAt,
        // A new window deserves a new reminder.
        remindedAt: row.scheduledFor === data.scheduledFor ? row.remindedAt : null,
        sequence: row.sequence + 1,
        updatedAt: now,
      })
      .where(eq(maintenances.id, id));
    await tx.delete(maintenanceComponents).where(eq(maintenanceComponents.maintenanceId, id));
    if (componentIds.length) await tx.insert(maintenanceComponents).values(componentIds.map((componentId) => ({ maintenanceId: id, componentId })));
    await recordChange(tx, 'maintenance', `maintenance:${id}`);
    await recordAudit(tx, { action: 'maintenance.reschedule', subjectType: 'maintenance', subjectId: id, before: row, after: { ...data, componentIds } }, now);
    const [update] = await tx
      .insert(maintenanceUpdates)
      .values({ maintenanceId: id, status: 'scheduled', body: 'The maintenance window was changed.', createdAt: now, authorId: author.id, authorName: author.name })
      .returning();
    if (data.notify) await notifyMaintenance(tx, id, 'maintenance.updated', update.id, now);
    return getMaintenance(tx, id);
  });
}

// ---------------------------------------------------------------- the clock

const CLOCK = { id: null, name: 'Automatic' };

export interface ClockResult {
  reminded: number[];
  started: number[];
  completed: number[];
}

/**
 * What the clock does at `now`: remind subscribers, start windows that opened and complete
 * windows that closed (each only when the maintenance asks for it). Every step is a
 * compare-and-set on the row's state, so instances running the clock together never do one twice.
 */
export function runMaintenanceClock(db: Db, now = Date.now()): Promise<ClockResult> {
  return runAs({ kind: 'system', id: null, name: 'Maintenance clock' }, () => tickClock(db, now));
}

async function tickClock(db: Db, now: number): Promise<ClockResult> {
  const result: ClockResult = { reminded: [], started: [], completed: [] };
  const due = await db
    .select()
    .from(maintenances)
    .where(
      or(
        and(eq(maintenances.status, 'scheduled'), lte(maintenances.remindAt, now), isNull(maintenances.remindedAt)),
        and(eq(maintenances.status, 'scheduled'), eq(maintenances.autoStart, true), lte(maintenances.scheduledFor, now)),
        and(inArray(maintenances.status, ['in_progress', 'verifying']), eq(maintenances.autoComplete, true), lte(maintenances.scheduledUntil, now)),
      ),
    )
    .orderBy(asc(maintenances.scheduledFor));
  for (const m of due) {
    await db.transaction(async (tx) => {
      const [row] = await tx.select().from(maintenances).where(eq(maintenances.id, m.id));
      if (!row || row.updatedAt !== m.updatedAt || row.status !== m.status) return; // someone else moved it
      const status = row.status as MaintenanceStatus;
      if (status === 'scheduled' && row.autoStart && row.scheduledFor <= now) {
        // Starting supersedes a reminder that never went out.
        await tx.update(maintenances).set({ remindedAt: row.remindedAt ?? now }).where(eq(maintenances.id, row.id));
        await transition(tx, row.id, 'in_progress', 'The scheduled maintenance has started.', true, CLOCK, now);
        result.started.push(row.id);
      } else if (status === 'scheduled' && row.remindAt !== null && row.remindAt <= now && row.remindedAt === null) {
        await tx.update(maintenances).set({ remindedAt: now, updatedAt: now }).where(eq(maintenances.id, row.id));
        await notifyMaintenance(tx, row.id, 'maintenance.reminder', null, now);
        result.reminded.push(row.id);
      }
      if (isMaintenanceActive(status) && row.autoComplete && row.scheduledUntil <= now) {
        await transition(tx, row.id, 'completed', 'The scheduled maintenance is complete.', true, CLOCK, now);
        result.completed.push(row.id);
      }
    });
  }
  return result;
}

/** A page of maintenance windows, latest window first, with the total (API lists). */
export async function listMaintenancePage(db: DbOrTx, offset: number, limit: number): Promise<{ views: MaintenanceView[]; total: number }> {
  const [rows, [{ total }]] = await Promise.all([
    db.select().from(maintenances).orderBy(desc(maintenances.scheduledFor), desc(maintenances.id)).limit(limit).offset(offset),
    db.select({ total: count() }).from(maintenances),
  ]);
  return { views: await loadMaintenanceViews(db, rows), total };
}
