// The stale-state warning through the real server: on every admin page once an unresolved incident
// has gone without a public update for too long, gone once one is posted.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { adminSession } from './support/admin-session.ts';
import { api, createUserWithToken } from './support/api.ts';
import { startServer, type TestServer } from './support/server.ts';

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
    const opened = await api(server.url, token, 'POST', '/api/v1/incidents', {
      title: 'Queue delays',
      impact: 'minor',
      message: 'Jobs start late.',
      components: {},
    });
    expect((await admin.get('/admin')).html).not.toContain('data-stale');
    await new Promise((ok) => setTimeout(ok, 1500));
    for (const path of ['/admin', '/admin/reviews', `/admin/incidents/${opened.body.incident.id}`]) {
      const page = (await admin.get(path)).html;
      expect(page).toContain('data-stale');
      expect(page).toMatch(
        new RegExp(`<a href="/admin/incidents/${opened.body.incident.id}">Queue delays</a> — silent for \\d+ min`),
      );
    }
    await api(server.url, token, 'POST', `/api/v1/incidents/${opened.body.incident.id}/updates`, {
      status: 'identified',
      message: 'A worker pool is down; restarting it. Next update in 30 minutes.',
      components: {},
    });
    expect((await admin.get('/admin')).html).not.toContain('data-stale');
  });
});
