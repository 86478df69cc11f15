// Changing maintenance windows by hand: schedule, post updates (moving the status forward),
// reschedule or cancel. Each change is one transaction with its audit entry, change event and
// the outbox rows that tell subscribers of the affected components.
import { eq, inArray } from 'drizzle-orm';
import { components, maintenanceComponents, maintenances, maintenanceUpdates } from '../db/schema/index.ts';
import type { Db, DbOrTx } from '../db/client.ts';
import { recordAudit } from './audit.ts';
import { recordChange } from './changes.ts';
import { fieldError, ConflictError, NotFoundError, parseInput } from './errors.ts';
import type { Author } from './incidents.ts';
import type { MaintenanceView } from './maintenance-schemas.ts';
import { scheduleSchema, maintenanceUpdateSchema } from './maintenance-schemas.ts';
import { getMaintenance } from './maintenance-reads.ts';
import { notifyMaintenance, transition } from './maintenance-transition.ts';
import { MIN } from './maintenance-schemas.ts';

/** When subscribers are reminded: never, or `remindMinutes` before the start if that is still ahead. */
function reminderTime(data: { scheduledFor: number; remindMinutes: number }, now: number): number | null {
  const at = data.scheduledFor - data.remindMinutes * MIN;
  return data.remindMinutes > 0 && at > now ? at : null;
}

function assertNotOver(scheduledUntil: number, now: number): void {
  if (scheduledUntil <= now)
    throw fieldError('scheduledUntil', 'is already over; choose a window that ends in the future.');
}

async function assertComponents(tx: DbOrTx, ids: number[]): Promise<void> {
  if (ids.length === 0) return;
  const found = await tx.select({ id: components.id }).from(components).where(inArray(components.id, ids));
  const missing = ids.filter((id) => !found.some((f) => f.id === id));
  if (missing.length) throw new NotFoundError('component', missing);
}

export async function scheduleMaintenance(
  db: Db,
  input: unknown,
  author: Author,
  now = Date.now(),
): Promise<MaintenanceView> {
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
    if (componentIds.length)
      await tx
        .insert(maintenanceComponents)
        .values(componentIds.map((componentId) => ({ maintenanceId: row.id, componentId })));
    // The announcement is the first update, as on Statuspage.
    const [update] = await tx
      .insert(maintenanceUpdates)
      .values({
        maintenanceId: row.id,
        status: 'scheduled',
        body: data.body,
        createdAt: now,
        authorId: author.id,
        authorName: author.name,
      })
      .returning();
    await recordChange(tx, 'maintenance', `maintenance:${row.id}`);
    await recordAudit(
      tx,
      {
        action: 'maintenance.schedule',
        subjectType: 'maintenance',
        subjectId: row.id,
        after: { ...row, componentIds },
      },
      now,
    );
    if (data.notify) await notifyMaintenance(tx, row.id, 'maintenance.scheduled', update.id, now);
    return getMaintenance(tx, row.id);
  });
}

/**
 * Moves a maintenance on with an update. Starting it puts its components under maintenance
 * (remembering their state); completing it restores each one still under maintenance.
 */
export async function postMaintenanceUpdate(
  db: Db,
  id: number,
  input: unknown,
  author: Author,
  now = Date.now(),
): Promise<MaintenanceView> {
  const data = parseInput(maintenanceUpdateSchema, input);
  return db.transaction(async (tx) => transition(tx, id, data.status, data.message, data.notify, author, now));
}

/** Changes a window not yet started (title, text, times, components); calendars get a new SEQUENCE. */
export async function rescheduleMaintenance(
  db: Db,
  id: number,
  input: unknown,
  author: Author,
  now = Date.now(),
): Promise<MaintenanceView> {
  const data = parseInput(scheduleSchema, input);
  assertNotOver(data.scheduledUntil, now);
  const componentIds = [...new Set(data.componentIds)];
  return db.transaction(async (tx) => {
    const [row] = await tx.select().from(maintenances).where(eq(maintenances.id, id));
    if (!row) throw new NotFoundError('maintenance', id);
    if (row.status !== 'scheduled')
      throw new ConflictError('Only a maintenance that has not started can be rescheduled; post an update instead.');
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
    if (componentIds.length)
      await tx
        .insert(maintenanceComponents)
        .values(componentIds.map((componentId) => ({ maintenanceId: id, componentId })));
    await recordChange(tx, 'maintenance', `maintenance:${id}`);
    await recordAudit(
      tx,
      {
        action: 'maintenance.reschedule',
        subjectType: 'maintenance',
        subjectId: id,
        before: row,
        after: { ...data, componentIds },
      },
      now,
    );
    const [update] = await tx
      .insert(maintenanceUpdates)
      .values({
        maintenanceId: id,
        status: 'scheduled',
        body: 'The maintenance window was changed.',
        createdAt: now,
        authorId: author.id,
        authorName: author.name,
      })
      .returning();
    if (data.notify) await notifyMaintenance(tx, id, 'maintenance.updated', update.id, now);
    return getMaintenance(tx, id);
  });
}
