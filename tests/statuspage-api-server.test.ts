// The public /api/v2 endpoints on the demo page against the schemas written from Statuspage's API
// documentation (tests/support/statuspage-schemas.ts), and the ordering rules clients rely on.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { z } from 'zod';
import { api, createUserWithToken } from './support/api.ts';
import { startServer, type TestServer } from './support/server.ts';
import { component, incident, page, status } from './support/statuspage-schemas.ts';

let server: TestServer;
let token: string;

beforeAll(async () => {
  server = await startServer();
  token = createUserWithToken(server.dbFile, 'admin').token;
});
afterAll(async () => {
  await server?.stop();
});

async function get(path: string) {
  const response = await fetch(server.url + path, { headers: { origin: 'https://aggregator.example' } });
  expect(response.status, path).toBe(200);
  expect(response.headers.get('content-type')).toBe('application/json; charset=utf-8');
  expect(response.headers.get('access-control-allow-origin')).toBe('*');
  return { body: (await response.json()) as Record<string, any>, headers: response.headers };
}

describe('public API v2 (Statuspage-compatible)', () => {
  test('every endpoint answers with Statuspage’s keys, fields and enumerations', async () => {
    const opened = await api(server.url, token, 'POST', '/api/v1/incidents', {
      title: 'Checkout errors',
      impact: 'critical',
      message: 'Checkout fails.',
      components: { 1: 'major_outage' },
    });
    expect(opened.status).toBe(201);
    const summary = (await get('/api/v2/summary.json')).body;
    expect(Object.keys(summary)).toEqual(['page', 'components', 'incidents', 'scheduled_maintenances', 'status']);
    page.parse(summary.page);
    z.array(component).parse(summary.components);
    z.array(incident).parse(summary.incidents);
    status.parse(summary.status);
    expect(summary.status).toEqual({ indicator: 'critical', description: 'Major System Outage' });
    expect(summary.incidents.map((i: { name: string }) => i.name)).toEqual(['Checkout errors']);

    const st = (await get('/api/v2/status.json')).body;
    expect(Object.keys(st)).toEqual(['page', 'status']);
    expect(st.status).toEqual(summary.status);
    const comps = (await get('/api/v2/components.json')).body;
    expect(Object.keys(comps)).toEqual(['page', 'components']);
    expect(comps.components).toEqual(summary.components);
    for (const path of ['/api/v2/incidents.json', '/api/v2/incidents/unresolved.json']) {
      const doc = (await get(path)).body;
      expect(Object.keys(doc)).toEqual(['page', 'incidents']);
      z.array(incident).parse(doc.incidents);
    }
  });

  test('groups are components with group: true and their children’s ids; order follows the page', async () => {
    const { components } = (await get('/api/v2/components.json')).body as { components: z.infer<typeof component>[] };
    const groups = components.filter((c) => c.group);
    expect(groups.length).toBeGreaterThan(0);
    for (const g of groups) {
      expect(g.components!.length).toBeGreaterThan(0);
      const children = components.filter((c) => c.group_id === g.id);
      expect(children.map((c) => c.id)).toEqual(g.components);
      // a group shows the worst state of its members
      const order = ['operational', 'under_maintenance', 'degraded_performance', 'partial_outage', 'major_outage'];
      expect(order.indexOf(g.status)).toBe(Math.max(...children.map((c) => order.indexOf(c.status))));
      // members follow their group
      const at = components.indexOf(g);
      expect(components.slice(at + 1, at + 1 + children.length).map((c) => c.id)).toEqual(g.components);
    }
    for (const c of components.filter((c) => !c.group)) expect(c.components).toBeUndefined();
    expect(new Set(components.map((c) => c.id)).size).toBe(components.length);
  });

  test('incidents newest first, updates newest first with affected components; unresolved only open ones', async () => {
    const first = await api(server.url, token, 'POST', '/api/v1/incidents', {
      title: 'Older',
      impact: 'minor',
      message: 'One.',
      components: { 2: 'degraded_performance' },
    });
    await api(server.url, token, 'POST', `/api/v1/incidents/${first.body.incident.id}/updates`, {
      status: 'monitoring',
      message: 'Two.',
      components: {},
    });
    await api(server.url, token, 'POST', `/api/v1/incidents/${first.body.incident.id}/updates`, {
      status: 'resolved',
      message: 'Three.',
      components: { 2: 'operational' },
    });
    const second = await api(server.url, token, 'POST', '/api/v1/incidents', {
      title: 'Newer',
      impact: 'major',
      message: 'Four.',
      components: {},
    });
    const { incidents } = (await get('/api/v2/incidents.json')).body;
    const created = incidents.map((i: { created_at: string }) => Date.parse(i.created_at));
    expect(created).toEqual([...created].sort((a: number, b: number) => b - a));
    expect(incidents[0].id).toBe(String(second.body.incident.id));
    const older = incidents.find((i: { id: string }) => i.id === String(first.body.incident.id));
    expect(older.incident_updates.map((u: { body: string }) => u.body)).toEqual(['Three.', 'Two.', 'One.']);
    expect(older.incident_updates[0].affected_components).toEqual([
      { code: '2', name: expect.any(String), old_status: 'degraded_performance', new_status: 'operational' },
    ]);
    expect(older.monitoring_at).not.toBeNull();
    expect(older.resolved_at).not.toBeNull();
    const unresolved = (await get('/api/v2/incidents/unresolved.json')).body.incidents;
    expect(unresolved.every((i: { resolved_at: string | null }) => i.resolved_at === null)).toBe(true);
    expect(unresolved.map((i: { name: string }) => i.name)).toContain('Newer');
    expect(unresolved.map((i: { name: string }) => i.name)).not.toContain('Older');
  });

  test('served from the public cache: ETag and 304, and a change shows at once', async () => {
    const first = await get('/api/v2/status.json');
    const etag = first.headers.get('etag');
    expect(etag).toBeTruthy();
    expect(first.headers.get('cache-control')).toContain('public');
    const again = await fetch(server.url + '/api/v2/status.json', { headers: { 'if-none-match': etag! } });
    expect(again.status).toBe(304);
    const before = first.body.status.indicator;
    await api(server.url, token, 'POST', '/api/v1/incidents', {
      title: 'Everything down',
      impact: 'critical',
      message: 'Down.',
      components: {},
    });
    await expect
      .poll(async () => (await get('/api/v2/status.json')).body.status.indicator, { timeout: 3000 })
      .toBe('critical');
    expect(before).toBeDefined();
  });
});
