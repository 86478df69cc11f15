// Alerts in: the real Prometheus Alertmanager (Debian's prometheus-alertmanager) sending to Candor
// on loopback, and the generic JSON webhook.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { api, createUserWithToken } from './support/api.ts';
import { freePort } from './support/ports.ts';
import { startServer, type TestServer } from './support/server.ts';
import { waitFor } from './support/subscribers.ts';

let server: TestServer;
let token: string;
let alertmanager: ChildProcess;
let amUrl: string;
const amLog: string[] = [];

beforeAll(async () => {
  server = await startServer();
  token = createUserWithToken(server.dbFile, 'support', 'monitor@example.com', 'Monitor').token;
  const dir = mkdtempSync(join(tmpdir(), 'candor-am-'));
  writeFileSync(
    join(dir, 'alertmanager.yml'),
    `route:
  receiver: candor
  group_by: ['alertname']
  group_wait: 1s
  group_interval: 1s
  repeat_interval: 1h
receivers:
  - name: candor
    webhook_configs:
      - url: ${server.url}/api/v1/alerts/alertmanager
        send_resolved: true
        http_config:
          authorization:
            type: Bearer
            credentials: ${token}
`,
  );
  const port = await freePort();
  amUrl = `http://127.0.0.1:${port}`;
  alertmanager = spawn(
    '/usr/bin/prometheus-alertmanager',
    [
      `--config.file=${join(dir, 'alertmanager.yml')}`,
      `--storage.path=${join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--cluster.listen-address=',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  alertmanager.stderr!.on('data', (d) => amLog.push(String(d)));
  await waitFor('alertmanager ready', async () => (await fetch(`${amUrl}/-/ready`).catch(() => null))?.ok, 15_000);
});
afterAll(async () => {
  alertmanager?.kill('SIGTERM');
  await server?.stop();
});

async function fire(
  alerts: { labels: Record<string, string>; annotations?: Record<string, string>; resolved?: boolean }[],
) {
  const now = Date.now();
  const body = alerts.map((a) => ({
    labels: a.labels,
    annotations: a.annotations ?? {},
    startsAt: new Date(now - 60_000).toISOString(),
    ...(a.resolved
      ? { endsAt: new Date(now - 1000).toISOString() }
      : { endsAt: new Date(now + 3_600_000).toISOString() }),
  }));
  const r = await fetch(`${amUrl}/api/v2/alerts`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  expect(r.status, await r.text()).toBe(200);
}

const component = async (name: string) =>
  (
    (await api(server.url, token, 'GET', '/api/v1/components')).body.components as { name: string; status: string }[]
  ).find((c) => c.name === name)!.status;
const incidentTitled = async (title: string) =>
  (
    (await api(server.url, token, 'GET', '/api/v1/incidents?limit=100')).body.incidents as {
      id: number;
      title: string;
      status: string;
      impact: string;
      updates: { status: string; message: string; author: string }[];
    }[]
  ).filter((i) => i.title === title);

describe('Prometheus Alertmanager', () => {
  test('a firing alert opens an incident and sets the component; the group grows; resolving restores', async () => {
    await fire([
      {
        labels: { alertname: 'HighErrorRate', service: 'api', severity: 'critical' },
        annotations: { summary: 'API error rate above 5%', description: '7% of requests fail with 5xx' },
      },
    ]);
    const [incident] = await waitFor(
      'incident from alertmanager',
      async () => {
        const l = await incidentTitled('API error rate above 5%');
        return l.length ? l : null;
      },
      15_000,
    );
    expect(incident).toMatchObject({ status: 'investigating', impact: 'critical' });
    expect(incident.updates[0].author).toBe('Alertmanager');
    expect(incident.updates[0].message).toContain('7% of requests fail with 5xx');
    expect(await component('API')).toBe('major_outage');

    // a second alert of the same group (alertname) adds to the same incident
    await fire([
      {
        labels: { alertname: 'HighErrorRate', service: 'api', severity: 'critical' },
        annotations: { summary: 'API error rate above 5%' },
      },
      {
        labels: { alertname: 'HighErrorRate', service: 'dashboard', severity: 'warning' },
        annotations: { summary: 'Dashboard errors' },
      },
    ]);
    await waitFor('dashboard degraded', async () => (await component('Dashboard')) === 'degraded_performance', 15_000);
    expect(await incidentTitled('API error rate above 5%')).toHaveLength(1);

    await fire([
      { labels: { alertname: 'HighErrorRate', service: 'api', severity: 'critical' }, resolved: true },
      { labels: { alertname: 'HighErrorRate', service: 'dashboard', severity: 'warning' }, resolved: true },
    ]);
    await waitFor(
      'resolved',
      async () => (await incidentTitled('API error rate above 5%'))[0].status === 'resolved',
      15_000,
    );
    expect(await component('API')).toBe('operational');
    expect(await component('Dashboard')).toBe('operational');
    const [done] = await incidentTitled('API error rate above 5%');
    expect(done.updates.map((u) => u.status)).toEqual(['resolved', 'investigating', 'investigating']);
  });

  test('the same delivery twice changes nothing; bad payloads and missing tokens are refused', async () => {
    const payload = {
      version: '4',
      groupKey: '{}:{alertname="DiskFull"}',
      status: 'firing',
      receiver: 'candor',
      groupLabels: { alertname: 'DiskFull' },
      commonLabels: { alertname: 'DiskFull', service: 'storage', severity: 'major' },
      commonAnnotations: { summary: 'Storage nodes nearly full' },
      externalURL: 'http://am',
      alerts: [
        {
          status: 'firing',
          labels: { alertname: 'DiskFull', service: 'storage', severity: 'major' },
          annotations: { summary: 'Storage nodes nearly full' },
          startsAt: new Date().toISOString(),
          endsAt: '0001-01-01T00:00:00Z',
          fingerprint: 'abc',
        },
      ],
    };
    const first = await api(server.url, token, 'POST', '/api/v1/alerts/alertmanager', payload);
    expect(first.body).toMatchObject({ action: 'created', unrouted: [] });
    const again = await api(server.url, token, 'POST', '/api/v1/alerts/alertmanager', payload);
    expect(again.body).toEqual({ action: 'unchanged', incident_id: first.body.incident_id, unrouted: [] });
    expect(await incidentTitled('Storage nodes nearly full')).toHaveLength(1);
    expect(await component('File storage')).toBe('partial_outage');
    const resolved = {
      ...payload,
      status: 'resolved',
      alerts: payload.alerts.map((a) => ({ ...a, status: 'resolved' })),
    };
    expect((await api(server.url, token, 'POST', '/api/v1/alerts/alertmanager', resolved)).body.action).toBe(
      'resolved',
    );
    expect((await api(server.url, token, 'POST', '/api/v1/alerts/alertmanager', resolved)).body.action).toBe(
      'unchanged',
    );

    const bad = await api(server.url, token, 'POST', '/api/v1/alerts/alertmanager', { ...payload, version: '3' });
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toContain('Version must be "4"');
    const anonymous = await fetch(`${server.url}/api/v1/alerts/alertmanager`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(payload),
    });
    expect(anonymous.status).toBe(401);
  });
});

describe('generic alert webhook', () => {
  test('firing, repeated, resolved; unknown components are reported, not guessed', async () => {
    const send = (body: unknown) => api(server.url, token, 'POST', '/api/v1/alerts/generic', body);
    const firing = {
      key: 'pingdom-email',
      status: 'firing',
      component: 'Email delivery',
      state: 'major_outage',
      title: 'Email sending fails',
      message: 'SMTP check failing from 3 locations',
    };
    const created = await send(firing);
    expect(created.status).toBe(200);
    expect(created.body.action).toBe('created');
    expect(await component('Email delivery')).toBe('major_outage');
    expect((await send(firing)).body.action).toBe('unchanged');
    expect((await send({ ...firing, state: 'degraded_performance' })).body.action).toBe('updated');
    expect(await component('Email delivery')).toBe('degraded_performance');
    expect((await send({ ...firing, status: 'resolved' })).body.action).toBe('resolved');
    expect(await component('Email delivery')).toBe('operational');

    // two monitors on one component: one incident; it resolves only when both have cleared
    const a = await send({
      key: 'probe-eu',
      status: 'firing',
      component: 'Dashboard',
      state: 'major_outage',
      title: 'Dashboard unreachable from EU',
    });
    const b = await send({
      key: 'probe-us',
      status: 'firing',
      component: 'Dashboard',
      state: 'partial_outage',
      title: 'Dashboard slow from US',
    });
    expect(b.body).toMatchObject({ action: 'unchanged', incident_id: a.body.incident_id });
    expect(await component('Dashboard')).toBe('major_outage');
    expect((await send({ key: 'probe-eu', status: 'resolved', component: 'Dashboard' })).body).toMatchObject({
      action: 'updated',
      incident_id: a.body.incident_id,
    });
    expect(await component('Dashboard')).toBe('partial_outage');
    expect((await send({ key: 'probe-us', status: 'resolved', component: 'Dashboard' })).body).toMatchObject({
      action: 'resolved',
      incident_id: a.body.incident_id,
    });
    expect(await component('Dashboard')).toBe('operational');

    const unknown = await send({ key: 'x', status: 'firing', component: 'Teleporter', title: 'Beam failure' });
    expect(unknown.body).toEqual({
      action: 'ignored',
      incident_id: null,
      unrouted: ['Beam failure: no component "Teleporter"'],
    });
    const invalid = await send({ status: 'burning', component: 1 });
    expect(invalid.status).toBe(400);
    expect(invalid.body.error.details).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^key: Key is required/),
        'status: Status must be firing or resolved',
      ]),
    );
  });
});
