// The audit log through the real server: users, tokens and alerts told apart, secrets kept out,
// readable by admins only.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { adminSession } from './support/admin-session.ts';
import { api, createUserWithToken } from './support/api.ts';
import { startServer, type TestServer } from './support/server.ts';

describe('audit log (server)', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startServer();
  });
  afterAll(async () => {
    await server?.stop();
  });

  test('users, tokens and alerts are told apart; secrets stay out; only admins read it', async () => {
    const admin = createUserWithToken(server.dbFile, 'admin', 'root@example.com', 'Root');
    const support = createUserWithToken(server.dbFile, 'support', 'desk@example.com', 'Desk');
    const session = await adminSession(server.url, admin.email, admin.password);
    expect(
      (
        await session.post('/admin/components', [
          ['action', 'update-group'],
          ['id', '1'],
          ['name', 'Core platform'],
          ['description', ''],
          ['position', '0'],
        ])
      ).status,
    ).toBe(303);
    const opened = await api(server.url, support.token, 'POST', '/api/v1/incidents', {
      title: 'Slow API',
      impact: 'minor',
      message: 'Looking.',
      components: { 1: 'degraded_performance' },
    });
    expect(opened.status).toBe(201);
    await api(server.url, support.token, 'POST', '/api/v1/alerts/generic', {
      key: 'k1',
      status: 'firing',
      component: 2,
      state: 'partial_outage',
      title: 'Dashboard down',
    });
    expect((await session.post('/admin/subscribers', [['url', 'https://hooks.example.com/x']])).status).toBe(303);

    const page = (await session.get('/admin/audit')).html;
    const rows = page
      .split('<tr data-action="')
      .slice(1)
      .map((chunk) => {
        const [, who, kind] = /<\/td>\s*<td>([^<]+) <span class="muted">\((.+?)\)<\/span><\/td>/.exec(chunk)!;
        return [chunk.slice(0, chunk.indexOf('"')), who, kind];
      });
    expect(rows).toEqual(
      expect.arrayContaining([
        ['group.update', 'Root', 'User (admin)'],
        ['incident.create', 'Desk', 'API token'],
        ['incident.create', 'Monitoring (token of Desk)', 'Alert'],
        ['subscriber.webhook_add', 'Root', 'User (admin)'],
        ['token.create', 'Candor', 'Candor'],
      ]),
    );
    expect(page).not.toContain('whsec_');
    const filtered = (await session.get('/admin/audit?actor_kind=alert')).html;
    expect([...filtered.matchAll(/<tr data-action="([^"]+)">/g)].map((m) => m[1])).toEqual(['incident.create']);
    const supportSession = await adminSession(server.url, support.email, support.password);
    expect((await supportSession.get('/admin/audit')).status).toBe(403);
  });
});
