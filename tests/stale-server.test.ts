// The stale-state warning: unresolved incidents without a public update for too long.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { IncidentView } from '../src/domain/incidents.ts';
import { DEFAULT_STALE_MINUTES, staleAfterMs, staleIncidents } from '../src/domain/stale.ts';
import { adminSession } from './support/admin-session.ts';
import { api, createUserWithToken } from './support/api.ts';
import { startServer, type TestServer } from './support/server.ts';

const MIN = 60_000;
const incident = (id: number, createdAt: number, updates: number[], resolvedAt: number | null = null) =>
  ({ id, title: `Incident ${id}`, createdAt, resolvedAt, updates: updates.map((u) => ({ createdAt: u })) }) as unknown as IncidentView;

describe('stale incidents', () => {
  test('the latest public update counts; resolved incidents never go stale; longest silence first', () => {
    const now = 100 * MIN;
    const list = [incident(1, 0, [10 * MIN, 80 * MIN]), incident(2, 0, [20 * MIN]), incident(3, 0, [30 * MIN]), incident(4, 0, [0], 50 * MIN)];
    expect(staleIncidents(list, now, 30 * MIN).map((s) => [s.id, s.silentForMs / MIN])).toEqual([[2, 80], [3, 70]]);
    expect(staleAfterMs({})).toBe(DEFAULT_STALE_MINUTES * MIN);
    expect(staleAfterMs({ CANDOR_STALE_MINUTES: '10' })).toBe(10 * MIN);
    expect(staleAfterMs({ CANDOR_STALE_MINUTES: 'soon' })).toBe(30 * MIN);
  });
});

describe('stale warning in the admin', () => {
  let server: TestServer;
  beforeAll(async () => {
    // 0.02 minutes: 1.2 seconds of silence is "too long" here.
    server = await startServer({ env: { CANDOR_STALE_MINUTES: '0.02' } });
  });
  afterAll(async () => {
    await server?.stop();
  });

  test('appears on every admin page after the silence and goes once an update is posted', async () => {
    const { token, email, password } = createUserWithToken(server.dbFile, 'support', 'desk@example.com', 'Desk');
    const admin = await adminSession(server.url, email, password);
    const opened = await api(server.url, token, 'POST', '/api/v1/incidents', { title: 'Queue delays', impact: 'minor', message: 'Jobs start late.', components: {} });
    expect((await admin.get('/admin')).html).not.toContain('data-stale');
    await new Promise((ok) => setTimeout(ok, 1500));
    for (const path of ['/admin', '/admin/reviews', `/admin/incidents/${opened.body.incident.id}`]) {
      const page = (await admin.get(path)).html;
      expect(page).toContain('data-stale');
      expect(page).toMatch(new RegExp(`<a href="/admin/incidents/${opened.body.incident.id}">Queue delays</a> — silent for \\d+ min`));
    }
    await api(server.url, token, 'POST', `/api/v1/incidents/${opened.body.incident.id}/updates`, { status: 'identified', message: 'A worker pool is down; restarting it. Next update in 30 minutes.', components: {} });
    expect((await admin.get('/admin')).html).not.toContain('data-stale');
  });
});
