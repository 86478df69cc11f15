// Scheduled maintenance on a real libSQL file, its clock driven by explicit times.
import { beforeEach, describe, expect, test } from 'vitest';
import * as schema from '../src/db/schema/index.ts';
import type { Db } from '../src/db/client.ts';
import { createComponent, getComponent, setComponentStatus } from '../src/domain/components.ts';
import { ConflictError, InputError, NotFoundError } from '../src/domain/errors.ts';
import {
  getMaintenance,
  postMaintenanceUpdate,
  rescheduleMaintenance,
  runMaintenanceClock,
  scheduleMaintenance,
} from '../src/domain/maintenance.ts';
import { freshDb } from './support/db.ts';

const MIN = 60_000;
const HOUR = 60 * MIN;
const T = Date.UTC(2026, 11, 1, 10, 0);
const staff = { id: null, name: 'Ops' };
const at = (ms: number) => new Date(ms).toISOString();
let db: Db;

beforeEach(async () => {
  ({ db } = await freshDb());
});

const kinds = async () => (await db.select().from(schema.notifications)).map((n) => n.kind);

async function twoComponents() {
  const api = await createComponent(db, { name: 'API' }, { now: T - 10 * 24 * HOUR });
  const db2 = await createComponent(db, { name: 'Database' }, { now: T - 10 * 24 * HOUR });
  return { api, database: db2 };
}

describe('scheduled maintenance', () => {
  test('reminded, started and completed on the clock; components under maintenance and restored', async () => {
    const { api, database } = await twoComponents();
    await setComponentStatus(db, database.id, { status: 'partial_outage' }, T);
    const m = await scheduleMaintenance(
      db,
      {
        title: 'Database upgrade',
        body: 'Writes pause for up to 5 minutes.',
        scheduledFor: at(T + 2 * HOUR),
        scheduledUntil: at(T + 3 * HOUR),
        componentIds: [api.id, database.id],
      },
      staff,
      T,
    );
    expect(m.status).toBe('scheduled');
    expect(m.remindAt).toBe(T + HOUR);
    expect(m.updates.map((u) => [u.status, u.body])).toEqual([['scheduled', 'Writes pause for up to 5 minutes.']]);
    expect(await kinds()).toEqual(['maintenance.scheduled']);

    expect(await runMaintenanceClock(db, T + 30 * MIN)).toEqual({ reminded: [], started: [], completed: [] });
    expect(await runMaintenanceClock(db, T + HOUR)).toEqual({ reminded: [m.id], started: [], completed: [] });
    expect(await runMaintenanceClock(db, T + HOUR + MIN)).toEqual({ reminded: [], started: [], completed: [] });

    expect(await runMaintenanceClock(db, T + 2 * HOUR)).toEqual({ reminded: [], started: [m.id], completed: [] });
    let view = await getMaintenance(db, m.id);
    expect(view.status).toBe('in_progress');
    expect(view.startedAt).toBe(T + 2 * HOUR);
    expect(view.components.map((c) => c.status)).toEqual(['under_maintenance', 'under_maintenance']);

    await postMaintenanceUpdate(
      db,
      m.id,
      { status: 'verifying', message: 'Upgrade done; checking replication.' },
      staff,
      T + 2 * HOUR + 40 * MIN,
    );
    expect(await runMaintenanceClock(db, T + 3 * HOUR)).toEqual({ reminded: [], started: [], completed: [m.id] });
    view = await getMaintenance(db, m.id);
    expect(view.status).toBe('completed');
    expect(view.completedAt).toBe(T + 3 * HOUR);
    // each goes back to what it was before the window
    expect((await getComponent(db, api.id)).status).toBe('operational');
    expect((await getComponent(db, database.id)).status).toBe('partial_outage');
    expect(view.updates.map((u) => u.status)).toEqual(['completed', 'verifying', 'in_progress', 'scheduled']);
    expect(await kinds()).toEqual([
      'maintenance.scheduled',
      'maintenance.reminder',
      'maintenance.started',
      'maintenance.updated',
      'maintenance.completed',
    ]);
    expect(view.sequence).toBe(3);
  });

  test('without automatic start and completion the clock only reminds; a component set by hand keeps its state', async () => {
    const { api } = await twoComponents();
    const m = await scheduleMaintenance(
      db,
      {
        title: 'Network work',
        body: 'Brief packet loss.',
        scheduledFor: at(T + HOUR),
        scheduledUntil: at(T + 2 * HOUR),
        componentIds: [api.id],
        autoStart: false,
        autoComplete: false,
        remindMinutes: 0,
      },
      staff,
      T,
    );
    expect(m.remindAt).toBeNull();
    expect(await runMaintenanceClock(db, T + 3 * HOUR)).toEqual({ reminded: [], started: [], completed: [] });
    await postMaintenanceUpdate(db, m.id, { status: 'in_progress', message: 'Starting now.' }, staff, T + 3 * HOUR);
    await setComponentStatus(db, api.id, { status: 'major_outage' }, T + 3 * HOUR + MIN);
    expect(await runMaintenanceClock(db, T + 5 * HOUR)).toEqual({ reminded: [], started: [], completed: [] });
    await postMaintenanceUpdate(db, m.id, { status: 'completed', message: 'Done.' }, staff, T + 5 * HOUR);
    expect((await getComponent(db, api.id)).status).toBe('major_outage');
  });

  test('states only move forward, a window not started can be cancelled or rescheduled, and bad input is refused', async () => {
    const { api } = await twoComponents();
    const m = await scheduleMaintenance(
      db,
      {
        title: 'Patch',
        body: 'Rolling restarts.',
        scheduledFor: at(T + HOUR),
        scheduledUntil: at(T + 2 * HOUR),
        componentIds: [api.id],
        notify: false,
      },
      staff,
      T,
    );
    expect(await kinds()).toEqual([]);
    const moved = await rescheduleMaintenance(
      db,
      m.id,
      {
        title: 'Patch',
        body: 'Rolling restarts.',
        scheduledFor: at(T + 5 * HOUR),
        scheduledUntil: at(T + 6 * HOUR),
        componentIds: [api.id],
      },
      staff,
      T + MIN,
    );
    expect(moved).toMatchObject({ scheduledFor: T + 5 * HOUR, sequence: 1, remindAt: T + 4 * HOUR });
    expect(await kinds()).toEqual(['maintenance.updated']);
    await expect(
      postMaintenanceUpdate(db, m.id, { status: 'completed', message: 'x' }, staff, T + 2 * MIN),
    ).rejects.toThrow(ConflictError);
    const cancelled = await postMaintenanceUpdate(
      db,
      m.id,
      { status: 'cancelled', message: 'Not needed after all.' },
      staff,
      T + 3 * MIN,
    );
    expect(cancelled).toMatchObject({ status: 'cancelled', sequence: 2 });
    await expect(
      postMaintenanceUpdate(db, m.id, { status: 'in_progress', message: 'x' }, staff, T + 4 * MIN),
    ).rejects.toThrow(/"Cancelled" cannot become "In progress"/);
    expect(await runMaintenanceClock(db, T + 7 * HOUR)).toEqual({ reminded: [], started: [], completed: [] });
    await expect(
      rescheduleMaintenance(
        db,
        m.id,
        { title: 'x', body: 'y', scheduledFor: at(T + 8 * HOUR), scheduledUntil: at(T + 9 * HOUR) },
        staff,
        T + 7 * HOUR,
      ),
    ).rejects.toThrow(/Only a maintenance that has not started/);

    await expect(
      scheduleMaintenance(
        db,
        { title: '', body: 'b', scheduledFor: at(T + 2 * HOUR), scheduledUntil: at(T + HOUR) },
        staff,
        T,
      ),
    ).rejects.toThrow(/Title is required.*End|End/);
    await expect(
      scheduleMaintenance(
        db,
        { title: 't', body: 'b', scheduledFor: at(T + 2 * HOUR), scheduledUntil: at(T + HOUR) },
        staff,
        T,
      ),
    ).rejects.toThrow('End must be after the start of the window');
    await expect(
      scheduleMaintenance(
        db,
        { title: 't', body: 'b', scheduledFor: at(T - 2 * HOUR), scheduledUntil: at(T - HOUR) },
        staff,
        T,
      ),
    ).rejects.toThrow(InputError);
    await expect(
      scheduleMaintenance(
        db,
        { title: 't', body: 'b', scheduledFor: at(T + HOUR), scheduledUntil: at(T + 2 * HOUR), componentIds: [999] },
        staff,
        T,
      ),
    ).rejects.toThrow(NotFoundError);
    expect(await db.select().from(schema.maintenances)).toHaveLength(1);
  });
});
