// Domain rules on a real, migrated libSQL file.
import { existsSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { count } from 'drizzle-orm';
import { beforeEach, describe, expect, test } from 'vitest';
import * as schema from '../db/schema.ts';
import type { Db } from '../src/db/client.ts';
import { migrateDatabase } from '../src/db/migrate.ts';
import { createComponent, createGroup, setComponentStatus } from '../src/domain/components.ts';
import { InputError, NotFoundError } from '../src/domain/errors.ts';
import { createIncident, getIncident, postIncidentUpdate } from '../src/domain/incidents.ts';
import { loadHistoryMonth, loadStatusPage } from '../src/domain/public-page.ts';
import { seedDemo } from '../src/seed/demo.ts';
import { freshDb } from './support/db.ts';

const author = { id: null, name: 'Tester' };
let db: Db;
let file: string;

beforeEach(async () => {
  ({ db, file } = await freshDb());
});

async function rowCounts() {
  const tables = [schema.incidents, schema.incidentUpdates, schema.incidentUpdateComponents, schema.componentStatusChanges, schema.changeEvents];
  return Promise.all(tables.map(async (t) => (await db.select({ n: count() }).from(t))[0].n));
}

describe('incidents', () => {
  test('opening an incident records the update, the component change and its history in one go', async () => {
    const api = await createComponent(db, { name: 'API' });
    const incident = await createIncident(db, { title: 'Errors', impact: 'major', message: 'Investigating', components: { [api.id]: 'partial_outage' } }, author);
    expect(incident.status).toBe('investigating');
    expect(incident.updates).toHaveLength(1);
    expect(incident.updates[0].affected).toEqual([{ componentId: api.id, name: 'API', oldStatus: 'operational', newStatus: 'partial_outage' }]);
    const page = await loadStatusPage(db);
    expect(page.overall.indicator).toBe('major');
    expect(page.activeIncidents.map((i) => i.id)).toEqual([incident.id]);
  });

  test('an unknown component rejects the whole incident and writes nothing', async () => {
    const api = await createComponent(db, { name: 'API' });
    const before = await rowCounts();
    await expect(
      createIncident(db, { title: 'X', impact: 'minor', message: 'm', components: { [api.id]: 'major_outage', 9999: 'major_outage' } }, author),
    ).rejects.toThrow(NotFoundError);
    expect(await rowCounts()).toEqual(before);
    expect((await loadStatusPage(db)).ungrouped[0].status).toBe('operational');
  });

  test('bad input names every wrong field', async () => {
    try {
      await createIncident(db, { title: '', impact: 'huge', message: '   ', components: { abc: 'broken' } }, author);
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(InputError);
      const message = (error as InputError).message;
      expect(message).toContain('title: is required');
      expect(message).toContain('impact: must be one of none, minor, major, critical');
      expect(message).toMatch(/message: is required/);
      expect(message).toMatch(/components/);
    }
  });

  test('resolving sets the end time, a later update reopens', async () => {
    const t0 = Date.UTC(2026, 10, 1, 10);
    const incident = await createIncident(db, { title: 'Slow', impact: 'minor', message: 'Looking' }, author, t0);
    const resolved = await postIncidentUpdate(db, incident.id, { status: 'resolved', message: 'Fixed' }, author, t0 + 3_600_000);
    expect(resolved.resolvedAt).toBe(t0 + 3_600_000);
    expect(resolved.updates.map((u) => u.status)).toEqual(['resolved', 'investigating']);
    const reopened = await postIncidentUpdate(db, incident.id, { status: 'investigating', message: 'Back' }, author, t0 + 7_200_000);
    expect(reopened.resolvedAt).toBeNull();
    await expect(postIncidentUpdate(db, 424242, { status: 'resolved', message: 'x' }, author)).rejects.toThrow('No incident with id 424242');
  });

  test('component status changes are kept as history and count in uptime', async () => {
    const now = Date.now();
    const c = await createComponent(db, { name: 'DB' }, { now: now - 2 * 86_400_000 });
    await setComponentStatus(db, c.id, { status: 'major_outage' }, now - 86_400_000);
    await setComponentStatus(db, c.id, { status: 'operational' }, now - 86_400_000 + 3_600_000);
    const view = (await loadStatusPage(db, now)).ungrouped[0];
    expect(view.uptime.percent!).toBeCloseTo(100 * (1 - 3_600_000 / (2 * 86_400_000)), 6);
    await expect(setComponentStatus(db, c.id, { status: 'on_fire' })).rejects.toThrow(/status: must be one of/);
  });
});

describe('history and demo', () => {
  test('the demo seeds groups, components and resolved past incidents with 90 days of history', async () => {
    const now = Date.now();
    await seedDemo(db, now);
    const page = await loadStatusPage(db, now);
    expect(page.groups.map((g) => g.name)).toEqual(['Core platform', 'Data', 'Notifications']);
    expect(page.overall.indicator).toBe('none');
    const dbEu = page.groups[1].components.find((c) => c.name === 'Database (EU)')!;
    expect(dbEu.uptime.percent!).toBeLessThan(100);
    expect(dbEu.uptime.days.some((d) => d.worst === 'major_outage')).toBe(true);
    const month = await loadHistoryMonth(db, new Date(now - 44 * 86_400_000).toISOString().slice(0, 7), now);
    expect(month.incidents.some((i) => i.title === 'Database (EU) unavailable')).toBe(true);
    expect(month.newer).not.toBeNull();
  });

  test('groups keep their components when deleted', async () => {
    const g = await createGroup(db, { name: 'Core' });
    await createComponent(db, { name: 'API', groupId: g.id });
    await expect(createComponent(db, { name: 'X', groupId: 999 })).rejects.toThrow('No component group with id 999');
    const { deleteGroup } = await import('../src/domain/components.ts');
    await deleteGroup(db, g.id);
    expect((await loadStatusPage(db)).ungrouped.map((c) => c.name)).toEqual(['API']);
  });
});

describe('migrations', () => {
  test('an existing database is backed up before pending migrations run', async () => {
    // A database file that already holds data and has never seen these migrations.
    const old = join(dirname(file), 'old.db');
    const { createClient } = await import('@libsql/client');
    const client = createClient({ url: `file:${old}` });
    await client.execute('CREATE TABLE notes (text TEXT)');
    await client.execute("INSERT INTO notes VALUES ('written before the upgrade')");
    client.close();

    const result = await migrateDatabase(`file:${old}`);
    expect(result.applied.length).toBeGreaterThan(0);
    expect(result.backup).not.toBeNull();
    expect(readdirSync(join(dirname(file), 'backups'))).toHaveLength(1);
    const backup = createClient({ url: `file:${result.backup}` });
    expect((await backup.execute('SELECT text FROM notes')).rows.map((r) => r.text)).toEqual(['written before the upgrade']);
    // The backup is the state before migrating: none of Candor's tables yet.
    expect((await backup.execute("SELECT name FROM sqlite_master WHERE name = 'incidents'")).rows).toHaveLength(0);
    backup.close();

    // Nothing pending on the next start: no second backup.
    expect((await migrateDatabase(`file:${old}`)).backup).toBeNull();
  });

  test('a fresh database is migrated without a backup', async () => {
    expect(existsSync(join(dirname(file), 'backups'))).toBe(false);
  });
});
