// Moving a window to its next status, shared by the admin's updates and the clock: the row, its
// update, component states, audit, change event and the subscribers' message, in one transaction.
// Internal to the maintenance modules (not re-exported by maintenance.ts).
import { and, eq, inArray } from 'drizzle-orm';
import {
  components,
  maintenanceComponents,
  maintenances,
  maintenanceUpdateComponents,
  maintenanceUpdates,
} from '../db/schema/index.ts';
import type { DbOrTx } from '../db/client.ts';
import { recordAudit } from './audit.ts';
import { recordChange } from './changes.ts';
import { applyComponentStates } from './components.ts';
import { ConflictError, NotFoundError } from './errors.ts';
import type { Author } from './incidents.ts';
import { loadComponentRecords } from './component-records.ts';
import { announcedUpdateIds, pageSnapshot, recordsFor } from './notify/events.ts';
import type { BroadcastKind } from './notify/kinds.ts';
import { enqueueForReaders } from './notify/reader-classes.ts';
import { componentRecordsFor, maintenanceFor, maintenanceSeen } from './audiences/visible-views.ts';
import {
  isMaintenanceActive,
  MAINTENANCE_STATUS_LABELS,
  MAINTENANCE_TRANSITIONS,
  type ComponentState,
  type MaintenanceStatus,
} from './status.ts';
import type { MaintenanceView, MaintenancePayload } from './maintenance-schemas.ts';
import { getMaintenance } from './maintenance-reads.ts';

/** Queues the message about window `id` for the subscribers of its components who see it. */
export async function notifyMaintenance(
  tx: DbOrTx,
  id: number,
  kind: BroadcastKind,
  updateId: number | null,
  now: number,
): Promise<void> {
  const { createdBy: _c, ...stored } = await getMaintenance(tx, id);
  const [allRecords, announced] = await Promise.all([
    loadComponentRecords(tx),
    announcedUpdateIds(tx, 'maintenance', [id]),
  ]);
  if (updateId !== null) announced.add(updateId);
  await enqueueForReaders(
    tx,
    async (v) => {
      if (!maintenanceSeen(v, stored)) return null;
      const maintenance = maintenanceFor(v, stored);
      const payload: MaintenancePayload = {
        page: await pageSnapshot(tx, v),
        maintenance: {
          ...maintenance,
          updates: maintenance.updates.map((u) => ({ ...u, notified: announced.has(u.id) })),
        },
        records: recordsFor(componentRecordsFor(v, allRecords), [
          ...maintenance.components.map((c) => c.id),
          ...maintenance.updates.flatMap((u) => u.affected.map((a) => a.componentId)),
        ]),
        updateId,
      };
      return { kind, componentIds: maintenance.components.map((c) => c.id), payload };
    },
    now,
  );
}

/** What subscribers are sent when a window moves to each status. */
export const KIND_FOR_STATUS: Record<MaintenanceStatus, BroadcastKind> = {
  scheduled: 'maintenance.updated',
  in_progress: 'maintenance.started',
  verifying: 'maintenance.updated',
  completed: 'maintenance.completed',
  cancelled: 'maintenance.updated',
};

/** Moves window `id` to `status` (forward only), posting `message` as its update. */
export async function transition(
  tx: DbOrTx,
  id: number,
  status: MaintenanceStatus,
  message: string,
  notify: boolean,
  author: Author,
  now: number,
): Promise<MaintenanceView> {
  const [row] = await tx.select().from(maintenances).where(eq(maintenances.id, id));
  if (!row) throw new NotFoundError('maintenance', id);
  const from = row.status;
  if (!MAINTENANCE_TRANSITIONS[from].includes(status)) {
    throw new ConflictError(
      `A maintenance that is "${MAINTENANCE_STATUS_LABELS[from]}" cannot become "${MAINTENANCE_STATUS_LABELS[status]}".`,
    );
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
  // What this update does to the components, kept with it (Statuspage's affected_components).
  const changed: { componentId: number; oldStatus: ComponentState; newStatus: ComponentState }[] = [];
  if (starting && links.length) {
    const current = await tx
      .select({ id: components.id, status: components.status })
      .from(components)
      .where(
        inArray(
          components.id,
          links.map((l) => l.componentId),
        ),
      );
    for (const c of current) {
      await tx
        .update(maintenanceComponents)
        .set({ priorStatus: c.status })
        .where(and(eq(maintenanceComponents.maintenanceId, id), eq(maintenanceComponents.componentId, c.id)));
    }
    for (const c of current)
      if (c.status !== 'under_maintenance')
        changed.push({ componentId: c.id, oldStatus: c.status, newStatus: 'under_maintenance' });
    await applyComponentStates(tx, new Map(current.map((c) => [c.id, 'under_maintenance'])), now);
  }
  if (ending && links.length) {
    // A component someone moved by hand during the window keeps what they set.
    const current = await tx
      .select({ id: components.id, status: components.status })
      .from(components)
      .where(
        inArray(
          components.id,
          links.map((l) => l.componentId),
        ),
      );
    const restore = new Map<number, ComponentState>();
    for (const c of current) {
      const prior = links.find((l) => l.componentId === c.id)?.priorStatus;
      if (c.status === 'under_maintenance')
        restore.set(c.id, (prior && prior !== 'under_maintenance' ? prior : 'operational') as ComponentState);
    }
    for (const [componentId, newStatus] of restore)
      changed.push({ componentId, oldStatus: 'under_maintenance', newStatus });
    await applyComponentStates(tx, restore, now);
  }
  const [update] = await tx
    .insert(maintenanceUpdates)
    .values({ maintenanceId: id, status, body: message, createdAt: now, authorId: author.id, authorName: author.name })
    .returning();
  if (changed.length)
    await tx.insert(maintenanceUpdateComponents).values(changed.map((c) => ({ updateId: update.id, ...c })));
  await recordChange(tx, 'maintenance', `maintenance:${id}`);
  await recordAudit(
    tx,
    {
      action: 'maintenance.update',
      subjectType: 'maintenance',
      subjectId: id,
      before: { status: from },
      after: { status, message },
    },
    now,
  );
  if (notify) await notifyMaintenance(tx, id, KIND_FOR_STATUS[status], update.id, now);
  return getMaintenance(tx, id);
}
