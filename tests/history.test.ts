// History on a real, migrated libSQL file: component status changes are kept and count in uptime,
// and the demo seed fills 90 days of it, with past incidents on the monthly history page.
import { beforeEach, describe, expect, test } from 'vitest';
import type { Db } from '../src/db/client.ts';
import { createComponent, setComponentStatus } from '../src/domain/components.ts';
import { loadHistoryMonth, loadStatusPage } from '../src/domain/public-page.ts';
import { seedDemo } from '../src/seed/demo.ts';
import { freshDb } from './support/db.ts';
import { EVERYTHING } from '../src/domain/audiences/visibility.ts';

let db: Db;

beforeEach(async () => {
  ({ db } = await freshDb());
});

describe('history and demo', () => {
  test('component status changes are kept as history and count in uptime', async () => {
    const now = Date.now();
    const c = await createComponent(db, { name: 'DB' }, { now: now - 2 * 86_400_000 });
    await setComponentStatus(db, c.id, { status: 'major_outage' }, now - 86_400_000);
    await setComponentStatus(db, c.id, { status: 'operational' }, now - 86_400_000 + 3_600_000);
    const view = (await loadStatusPage(db, EVERYTHING, now)).ungrouped[0];
    expect(view.uptime.percent!).toBeCloseTo(100 * (1 - 3_600_000 / (2 * 86_400_000)), 6);
    await expect(setComponentStatus(db, c.id, { status: 'on_fire' })).rejects.toThrow(/Status must be one of/);
  });

  test('the demo seeds groups, components and resolved past incidents with 90 days of history', async () => {
    const now = Date.now();
    await seedDemo(db, now);
    const page = await loadStatusPage(db, EVERYTHING, now);
    expect(page.groups.map((g) => g.name)).toEqual(['Core platform', 'Data', 'Notifications']);
    expect(page.overall.indicator).toBe('none');
    const dbEu = page.groups[1].components.find((c) => c.name === 'Database (EU)')!;
    expect(dbEu.uptime.percent!).toBeLessThan(100);
    expect(dbEu.uptime.days.some((d) => d.worst === 'major_outage')).toBe(true);
    const month = await loadHistoryMonth(
      db,
      EVERYTHING,
      new Date(now - 44 * 86_400_000).toISOString().slice(0, 7),
      now,
    );
    expect(month.incidents.some((i) => i.title === 'Database (EU) unavailable')).toBe(true);
    expect(month.newer).not.toBeNull();
  });
});
