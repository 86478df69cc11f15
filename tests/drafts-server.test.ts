// Draft incidents (from alerts, when configured) through the real server: staff see them, the public
// does not, nobody is told until they are published.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { adminSession } from './support/admin-session.ts';
import { api, createUserWithToken } from './support/api.ts';
import { ResendMock } from './support/resend-mock.ts';
import { startServer, type TestServer } from './support/server.ts';
import { mailEnv, subscribeConfirmed, waitFor } from './support/subscribers.ts';

describe('draft incidents (server)', () => {
  let server: TestServer;
  const mock = new ResendMock({ requestsPerSecond: 0 });
  beforeAll(async () => {
    await mock.start();
    server = await startServer({ env: mailEnv(mock) });
  });
  afterAll(async () => {
    await server?.stop();
    await mock.stop();
  });

  test('invisible on every public page, feed and JSON, and silent, until published from the admin', async () => {
    const { token, email, password } = createUserWithToken(server.dbFile, 'support', 'desk@example.com', 'Desk');
    await subscribeConfirmed(server.url, mock, 'reader@example.com', 'all');
    const created = await api(server.url, token, 'POST', '/api/v1/incidents', {
      title: 'Zqxdraft checkout errors',
      impact: 'major',
      message: 'Zqxdraft we look.',
      components: {},
      draft: true,
    });
    expect(created.body.incident.published).toBe(false);
    const id = created.body.incident.id;
    const publicBodies = async () =>
      Promise.all(
        [
          '/',
          '/history',
          `/incidents/${id}`,
          '/history.atom',
          '/history.rss',
          '/api/v2/summary.json',
          '/api/v2/incidents.json',
          '/api/v2/incidents/unresolved.json',
          '/api/v2/status.json',
          '/badge.svg',
        ].map(async (p) => {
          const r = await fetch(server.url + p);
          return { p, status: r.status, body: await r.text() };
        }),
      );
    for (const { p, status, body } of await publicBodies()) {
      expect(body, p).not.toMatch(/zq9xdraft/i);
      if (p === `/incidents/${id}`) expect(status).toBe(404);
    }
    expect(JSON.parse((await publicBodies()).find((b) => b.p === '/api/v2/status.json')!.body).status.indicator).toBe(
      'none',
    );
    await new Promise((ok) => setTimeout(ok, 500));
    expect(mock.emailsTo('reader@example.com').filter((m) => /zq9xdraft/i.test(m.subject))).toEqual([]);

    const admin = await adminSession(server.url, email, password);
    const page = (await admin.get(`/admin/incidents/${id}`)).html;
    expect(page).toContain('data-draft');
    expect((await admin.get('/admin')).html).toMatch(
      /Zqxdraft checkout errors<\/a> <span class="flag flag-bad">Draft<\/span>/,
    );
    expect(
      (
        await admin.post(`/admin/incidents/${id}`, [
          ['action', 'publish'],
          ['notify', 'on'],
        ])
      ).status,
    ).toBe(303);
    expect(await (await fetch(`${server.url}/incidents/${id}`)).text()).toContain('Zqxdraft checkout errors');
    expect(JSON.parse(await (await fetch(`${server.url}/api/v2/status.json`)).text()).status.indicator).toBe('major');
    await waitFor('published email', () =>
      mock
        .emailsTo('reader@example.com')
        .find((m) => m.subject === '[Example Cloud] New incident: Zqxdraft checkout errors'),
    );
    expect((await admin.post(`/admin/incidents/${id}`, [['action', 'publish']])).status).toBe(409);
  });
});
