// The automation API through the real built server: bearer tokens, 4xx answers with a message that
// write nothing, incidents opened, updated and resolved, roles enforced.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { api, createUserWithToken } from './support/api.ts';
import { startServer, type TestServer } from './support/server.ts';

let server: TestServer;
let token: string;

beforeAll(async () => {
  server = await startServer();
  token = createUserWithToken(server.dbFile, 'support').token;
});
afterAll(() => server?.stop());

describe('automation API', () => {
  test('no token or a wrong one is 401 with a message', async () => {
    const none = await api(server.url, null, 'GET', '/api/v1/components');
    expect(none.status).toBe(401);
    expect(none.body.error.message).toMatch(/Authorization: Bearer/);
    expect((await api(server.url, 'candor_nope', 'GET', '/api/v1/components')).status).toBe(401);
  });

  test('bad JSON, unknown ids and wrong states are 4xx with a message, and nothing is written', async () => {
    const before = (await api(server.url, token, 'GET', '/api/v1/incidents')).body.incidents.length;
    const bad = await api(server.url, token, 'POST', '/api/v1/incidents', '{"title": ');
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toMatch(/not valid JSON/);
    const wrongState = await api(server.url, token, 'POST', '/api/v1/incidents', {
      title: 'x',
      impact: 'minor',
      message: 'm',
      components: { 1: 'exploded' },
    });
    expect(wrongState.status).toBe(400);
    expect(wrongState.body.error.message).toMatch(/Components \(1\) must be one of operational/);
    const unknown = await api(server.url, token, 'POST', '/api/v1/incidents', {
      title: 'x',
      impact: 'minor',
      message: 'm',
      components: { 1: 'major_outage', 4040: 'major_outage' },
    });
    expect(unknown.status).toBe(404);
    expect(unknown.body.error.message).toBe('No component with id 4040.');
    expect(
      (await api(server.url, token, 'POST', '/api/v1/incidents/99999/updates', { status: 'resolved', message: 'x' }))
        .status,
    ).toBe(404);
    // "abc" cannot be an id, so it names no component.
    expect((await api(server.url, token, 'PATCH', '/api/v1/components/abc', { status: 'operational' })).status).toBe(
      404,
    );
    expect(
      (await api(server.url, token, 'PATCH', '/api/v1/components/1', { status: 'on_fire' })).body.error.message,
    ).toMatch(/^Status must be one of/);
    expect((await api(server.url, token, 'GET', '/api/v1/incidents')).body.incidents.length).toBe(before);
    const components = (await api(server.url, token, 'GET', '/api/v1/components')).body.components;
    expect(components.find((c: { id: number }) => c.id === 1).status).toBe('operational');
  });

  test('open, update and resolve an incident; component states follow', async () => {
    const created = await api(server.url, token, 'POST', '/api/v1/incidents', {
      title: 'Sign-in failures',
      impact: 'major',
      status: 'investigating',
      message: 'Some logins fail.',
      components: { 3: 'partial_outage' },
    });
    expect(created.status).toBe(201);
    const incident = created.body.incident;
    expect(incident).toMatchObject({
      title: 'Sign-in failures',
      impact: 'major',
      status: 'investigating',
      resolved_at: null,
    });
    expect(incident.updates[0].affected_components).toEqual([
      { id: 3, name: 'Sign-in', old_status: 'operational', new_status: 'partial_outage' },
    ]);
    expect(incident.updates[0].author).toBe('Test support');

    const update = await api(server.url, token, 'POST', `/api/v1/incidents/${incident.id}/updates`, {
      status: 'resolved',
      message: 'Fixed.',
      components: { 3: 'operational' },
    });
    expect(update.status).toBe(201);
    expect(update.body.update).toMatchObject({ status: 'resolved', message: 'Fixed.' });
    expect(update.body.incident.resolved_at).not.toBeNull();
    const patched = await api(server.url, token, 'PATCH', '/api/v1/components/2', { status: 'degraded_performance' });
    expect(patched.status).toBe(200);
    expect(patched.body.component.status).toBe('degraded_performance');
    await api(server.url, token, 'PATCH', '/api/v1/components/2', { status: 'operational' });
  });

  test('an author may not post incidents', async () => {
    const author = createUserWithToken(server.dbFile, 'author').token;
    const denied = await api(server.url, author, 'POST', '/api/v1/incidents', {
      title: 'x',
      impact: 'minor',
      message: 'm',
    });
    expect(denied.status).toBe(403);
  });
});
