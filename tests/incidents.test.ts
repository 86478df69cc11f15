// Incidents on a real, migrated libSQL file: opening one writes the update, the component change
// and its history together or not at all; bad input names every wrong field; resolving and reopening.
import { count } from 'drizzle-orm';
import { beforeEach, describe, expect, test } from 'vitest';
import * as schema from '../src/db/schema/index.ts';
import type { Db } from '../src/db/client.ts';
import { createComponent } from '../src/domain/components.ts';
import { InputError, NotFoundError } from '../src/domain/errors.ts';
import { createIncident, postIncidentUpdate } from '../src/domain/incidents.ts';
import { loadStatusPage } from '../src/domain/public-page.ts';
import { freshDb } from './support/db.ts';
import { EVERYTHING } from '../src/domain/audiences/visibility.ts';

const author = { id: null, name: 'Tester' };
let db: Db;

beforeEach(async () => {
  ({ db } = await freshDb());
});

async function rowCounts() {
  const tables = [
    schema.incidents,
    schema.incidentUpdates,
    schema.incidentUpdateComponents,
    schema.componentStatusChanges,
    schema.changeEvents,
  ];
  return Promise.all(tables.map(async (t) => (await db.select({ n: count() }).from(t))[0].n));
}

describe('incidents', () => {
  test('opening an incident records the update, the component change and its history in one go', async () => {
    const api = await createComponent(db, { name: 'API' });
    const incident = await createIncident(
      db,
      { title: 'Errors', impact: 'major', message: 'Investigating', components: { [api.id]: 'partial_outage' } },
      author,
    );
    expect(incident.status).toBe('investigating');
    expect(incident.updates).toHaveLength(1);
    expect(incident.updates[0].affected).toEqual([
      { componentId: api.id, name: 'API', oldStatus: 'operational', newStatus: 'partial_outage' },
    ]);
    const page = await loadStatusPage(db, EVERYTHING);
    expect(page.overall.indicator).toBe('major');
    expect(page.activeIncidents.map((i) => i.id)).toEqual([incident.id]);
  });

  test('an unknown component rejects the whole incident and writes nothing', async () => {
    const api = await createComponent(db, { name: 'API' });
    const before = await rowCounts();
    await expect(
      createIncident(
        db,
        { title: 'X', impact: 'minor', message: 'm', components: { [api.id]: 'major_outage', 9999: 'major_outage' } },
        author,
      ),
    ).rejects.toThrow(NotFoundError);
    expect(await rowCounts()).toEqual(before);
    expect((await loadStatusPage(db, EVERYTHING)).ungrouped[0].status).toBe('operational');
  });

  test('bad input names every wrong field', async () => {
    try {
      await createIncident(db, { title: '', impact: 'huge', message: '   ', components: { abc: 'broken' } }, author);
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(InputError);
      const message = (error as InputError).message;
      expect(message).toContain('Title is required');
      expect(message).toContain('Impact must be one of none, minor, major, critical');
      expect(message).toMatch(/Message is required/);
      expect(message).toContain('Components (abc): component ids are whole numbers from 1');
    }
  });

  test('resolving sets the end time, a later update reopens', async () => {
    const t0 = Date.UTC(2026, 10, 1, 10);
    const incident = await createIncident(db, { title: 'Slow', impact: 'minor', message: 'Looking' }, author, t0);
    const resolved = await postIncidentUpdate(
      db,
      incident.id,
      { status: 'resolved', message: 'Fixed' },
      author,
      t0 + 3_600_000,
    );
    expect(resolved.resolvedAt).toBe(t0 + 3_600_000);
    expect(resolved.updates.map((u) => u.status)).toEqual(['resolved', 'investigating']);
    const reopened = await postIncidentUpdate(
      db,
      incident.id,
      { status: 'investigating', message: 'Back' },
      author,
      t0 + 7_200_000,
    );
    expect(reopened.resolvedAt).toBeNull();
    await expect(postIncidentUpdate(db, 424242, { status: 'resolved', message: 'x' }, author)).rejects.toThrow(
      'No incident with id 424242',
    );
  });
});
