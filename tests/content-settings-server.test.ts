// The glossary and the alert routes without a rebuild: content/ gives the first start's values,
// admins replace them in the admin or the API (validated whole, audited), a second instance on the
// same database uses the new ones at once, and both export in content/'s shape.
import { createClient } from '@libsql/client';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import alertFile from '../content/alerts.json' with { type: 'json' };
import glossaryFile from '../content/glossary.json' with { type: 'json' };
import { adminSession } from './support/admin-session.ts';
import { api, createUserWithToken } from './support/api.ts';
import { startServer, tempDbFile, type TestServer } from './support/server.ts';

let a: TestServer;
let b: TestServer;
let admin: { token: string; password: string; email: string };
let support: string;

beforeAll(async () => {
  const dbFile = tempDbFile();
  a = await startServer({ dbFile, env: { CANDOR_WORKER: '0' } });
  b = await startServer({ dbFile, env: { CANDOR_WORKER: '0' } });
  admin = createUserWithToken(dbFile, 'admin', 'root@example.com', 'Root');
  support = createUserWithToken(dbFile, 'support', 'desk@example.com', 'Desk').token;
});
afterAll(async () => {
  await a?.stop();
  await b?.stop();
});

async function auditActions(): Promise<string[]> {
  const client = createClient({ url: `file:${a.dbFile}` });
  try {
    const rs = await client.execute("SELECT action FROM audit_log WHERE subject_type = 'settings' ORDER BY id");
    return rs.rows.map((r) => String(r.action));
  } finally {
    client.close();
  }
}

describe('glossary', () => {
  test('starts as content/glossary.json and refuses a bad one whole, saying what is wrong', async () => {
    const current = await api(a.url, admin.token, 'GET', '/api/v1/settings/glossary');
    expect(current.body.glossary).toEqual({ terms: glossaryFile.terms, teams: glossaryFile.teams });
    const bad: [unknown, RegExp][] = [
      [{ terms: [{ term: 'XLA', customer: '' }], teams: [] }, /^terms\.0\.customer: Customer is required$/],
      [
        {
          terms: [
            { term: 'etcd', customer: 'a' },
            { term: 'ETCD', customer: 'b' },
          ],
          teams: [],
        },
        /^terms: "etcd" is listed more than once/,
      ],
      [{ terms: [], teams: [], extra: 1 }, /has fields Candor does not know: extra/],
      [{ terms: 'etcd', teams: [] }, /^terms: Terms must be a list of terms$/],
    ];
    for (const [body, detail] of bad) {
      const r = await api(a.url, admin.token, 'PUT', '/api/v1/settings/glossary', body);
      expect(r.status, JSON.stringify(body)).toBe(400);
      expect(r.body.error.details).toEqual([expect.stringMatching(detail)]);
    }
    expect((await api(a.url, support, 'PUT', '/api/v1/settings/glossary', { terms: [], teams: [] })).status).toBe(403);
    expect((await api(a.url, admin.token, 'GET', '/api/v1/settings/glossary')).body).toEqual(current.body);
  });

  test('a new term is flagged by the lint on the other instance at once', async () => {
    const text = { summary: 'The Zephyr-9 relay failed, so sign-ins were slow.' };
    const lint = async (server: TestServer) => {
      const session = await adminSession(server.url, admin.email, admin.password);
      const r = await session.postJson('/admin/reviews/1/lint', text);
      return (r.json.findings as { rule: string; match: string; suggestion?: string }[]).filter(
        (f) => f.rule === 'glossary',
      );
    };
    expect(await lint(b)).toEqual([]);
    const glossary = (await api(a.url, admin.token, 'GET', '/api/v1/settings/glossary')).body.glossary;
    const put = await api(a.url, admin.token, 'PUT', '/api/v1/settings/glossary', {
      ...glossary,
      terms: [...glossary.terms, { term: 'Zephyr-9', customer: 'the sign-in relay' }],
    });
    expect(put.status).toBe(200);
    expect(await lint(b)).toEqual([expect.objectContaining({ match: 'Zephyr-9', suggestion: 'the sign-in relay' })]);
    expect(await auditActions()).toContain('glossary.update');
  });

  test('the admin editor says where the JSON is broken, keeps the text, and exports what is in force', async () => {
    const session = await adminSession(a.url, admin.email, admin.password);
    const broken = '{"terms": [], "teams": [,]}';
    const r = await session.post('/admin/settings/glossary', [['document', broken]]);
    expect(r.status).toBe(400);
    expect(r.html).toMatch(/role="alert"[^]*The glossary is not valid JSON: /);
    expect(r.html).toContain('{&quot;terms&quot;: [], &quot;teams&quot;: [,]}');

    const exported = await fetch(a.url + '/admin/settings/glossary.json', { headers: { cookie: session.cookie } });
    expect(exported.headers.get('content-disposition')).toBe('attachment; filename="glossary.json"');
    const file = await exported.json();
    expect(file.terms.map((t: { term: string }) => t.term)).toContain('Zephyr-9');
    // The export goes back in unchanged: the editor and the API take the same shape.
    const again = await session.post('/admin/settings/glossary', [['document', JSON.stringify(file)]]);
    expect(again.status).toBe(303);
    const desk = createUserWithToken(a.dbFile, 'support', 'desk2@example.com', 'Desk Two');
    const deskSession = await adminSession(a.url, desk.email, desk.password);
    expect((await deskSession.get('/admin/settings/glossary')).status).toBe(403);
    expect((await deskSession.get('/admin/settings/glossary.json')).status).toBe(403);
  });
});

describe('alert routes', () => {
  test('start as content/alerts.json; a route to a component that does not exist is refused', async () => {
    const current = await api(a.url, admin.token, 'GET', '/api/v1/settings/alert-routes');
    const { $comment: _comment, ...defaults } = alertFile;
    expect(current.body.alert_routes).toEqual(defaults);
    const r = await api(a.url, admin.token, 'PUT', '/api/v1/settings/alert-routes', {
      ...defaults,
      routes: [{ match: { service: 'search' }, component: 'Serach' }],
    });
    expect(r.status).toBe(400);
    expect(r.body.error.details).toEqual([
      'routes.0.component: There is no component "Serach" (give a name or an id from admin → Components)',
    ]);
    const empty = await api(a.url, admin.token, 'PUT', '/api/v1/settings/alert-routes', {
      ...defaults,
      routes: [{ match: {}, component: 'API' }],
    });
    expect(empty.body.error.details).toEqual([expect.stringMatching(/^routes\.0\.match: .*at least one label/)]);
  });

  test('a new route is followed by the next alert through the other instance', async () => {
    const { $comment: _comment, ...defaults } = alertFile;
    const put = await api(a.url, admin.token, 'PUT', '/api/v1/settings/alert-routes', {
      ...defaults,
      routes: [...defaults.routes, { match: { service: 'login' }, component: 'Sign-in' }],
    });
    expect(put.status).toBe(200);
    const alert = await api(b.url, admin.token, 'POST', '/api/v1/alerts/alertmanager', {
      version: '4',
      groupKey: 'login-slow',
      status: 'firing',
      commonLabels: { alertname: 'LoginSlow', service: 'login', severity: 'warning' },
      commonAnnotations: { summary: 'Sign-ins are slow' },
      alerts: [{ status: 'firing', labels: { alertname: 'LoginSlow', service: 'login' }, annotations: {} }],
    });
    expect(alert.status).toBe(200);
    expect(alert.body.unrouted).toEqual([]);
    const components = (await api(b.url, admin.token, 'GET', '/api/v1/components')).body.components;
    expect(components.find((c: { name: string }) => c.name === 'Sign-in').status).toBe('degraded_performance');
    expect(await auditActions()).toContain('alert_routes.update');

    const session = await adminSession(a.url, admin.email, admin.password);
    const exported = await (
      await fetch(a.url + '/admin/settings/alerts.json', { headers: { cookie: session.cookie } })
    ).json();
    expect(exported.routes.at(-1)).toEqual({ match: { service: 'login' }, component: 'Sign-in' });
    const page = await session.get('/admin/settings/alerts');
    expect(page.html).toContain('&quot;service&quot;: &quot;login&quot;');
  });
});
