// The maintenance clock's steps: reminders before a window, automatic start and completion at
// its edges. Each step is a compare-and-set on the row, so instances never repeat one.
import { and, asc, eq, inArray, isNull, lte, or } from 'drizzle-orm';
import { maintenances } from '../db/schema/index.ts';
import type { Db } from '../db/client.ts';
import { runAs } from './audit.ts';
import { isMaintenanceActive } from './status.ts';
import { notifyMaintenance, transition } from './maintenance-transition.ts';

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
        and(
          eq(maintenances.status, 'scheduled'),
          eq(maintenances.autoStart, true),
          lte(maintenances.scheduledFor, now),
        ),
        and(
          inArray(maintenances.status, ['in_progress', 'verifying']),
          eq(maintenances.autoComplete, true),
          lte(maintenances.scheduledUntil, now),
        ),
      ),
    )
    .orderBy(asc(maintenances.scheduledFor));
  for (const m of due) {
    await db.transaction(async (tx) => {
      const [row] = await tx.select().from(maintenances).where(eq(maintenances.id, m.id));
      if (!row || row.updatedAt !== m.updatedAt || row.status !== m.status) return; // someone else moved it
      const status = row.status;
      if (status === 'scheduled' && row.autoStart && row.scheduledFor <= now) {
        // Starting supersedes a reminder that never went out.
        await tx
          .update(maintenances)
          .set({ remindedAt: row.remindedAt ?? now })
          .where(eq(maintenances.id, row.id));
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
