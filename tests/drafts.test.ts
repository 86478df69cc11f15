// Draft incidents in the domain: an alert opens a draft when configured to; the status page shows
// no incident for it, staff lists do.
import { describe, expect, test } from 'vitest';
import { ALERT_CONFIG, applyAlerts, fromGeneric } from '../src/domain/alerts.ts';
import { loadActiveIncidents, loadStatusPage } from '../src/domain/public-page.ts';
import { freshDb } from './support/db.ts';
import { EVERYTHING } from '../src/domain/audiences/visibility.ts';

describe('draft incidents (domain)', () => {
  test('an alert opens a draft when the configuration says so: components set, the page shows no incident', async () => {
    const { db } = await freshDb();
    const { seedDemo } = await import('../src/seed/demo.ts');
    await seedDemo(db);
    const outcome = await applyAlerts(
      db,
      fromGeneric({ key: 'k', status: 'firing', component: 'API', state: 'major_outage', title: 'API down' }),
      { ...ALERT_CONFIG, publish: false },
    );
    expect(outcome.action).toBe('created');
    const page = await loadStatusPage(db, EVERYTHING);
    expect(page.activeIncidents).toEqual([]);
    expect(page.overall.indicator).toBe('critical');
    expect(
      (await loadActiveIncidents(db, EVERYTHING, { includeDrafts: true })).map((i) => [i.title, i.published]),
    ).toEqual([['API down', false]]);
  });
});
