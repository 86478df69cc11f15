// Two server processes on one database: what is posted through one reaches viewers of the other.
// Run on a shared local file and on a real libSQL server (the scale-out configuration).
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { api, createUserWithToken } from './support/api.ts';
import { openEvents } from './support/events.ts';
import { startServer, tempDbFile, type TestServer } from './support/server.ts';
import { startSqld } from './support/sqld.ts';

async function expectCrossInstanceLiveUpdate(a: TestServer, b: TestServer, token: string) {
  const events = await openEvents(b.url);
  expect(events.response.headers.get('content-type')).toMatch(/text\/event-stream/);
  const waitFor = (pattern: RegExp) => events.until(pattern);
  await waitFor(/event: hello/);
  const title = `Cross-instance check ${Date.now()}`;
  // Warm B's cache so a stale page would show if invalidation did not cross instances.
  expect(await (await fetch(b.url + '/')).text()).not.toContain(title);

  const postedAt = Date.now();
  const created = await api(a.url, token, 'POST', '/api/v1/incidents', {
    title,
    impact: 'minor',
    message: 'Seen on B?',
  });
  expect(created.status).toBe(201);
  await waitFor(new RegExp(`event: change\\ndata: .*incident:${created.body.incident.id}`));
  const elapsed = Date.now() - postedAt;
  events.close();
  expect(elapsed).toBeLessThan(1000);
  expect(await (await fetch(b.url + '/')).text()).toContain(title);
}

/** A settings change through A: B's viewers hear of it and B's page (cached before) shows it. */
async function expectCrossInstanceSettings(a: TestServer, b: TestServer, token: string) {
  const name = `Renamed ${Date.now()}`;
  expect(await (await fetch(b.url + '/')).text()).not.toContain(name);
  const events = await openEvents(b.url);
  await events.until(/event: hello/);
  const changed = await api(a.url, token, 'PATCH', '/api/v1/settings', { name, brandColor: '#5a2d82' });
  expect(changed.status).toBe(200);
  await events.until(/event: change\ndata: .*"settings"/, 1000);
  events.close();
  const page = await (await fetch(b.url + '/')).text();
  expect(/<title>[^<]*<\/title>/.exec(page)?.[0]).toBe(`<title>${name} status</title>`);
  expect(page).toContain('--brand:#5a2d82');
}

describe('two instances on one local database file', () => {
  let a: TestServer;
  let b: TestServer;
  let token: string;
  beforeAll(async () => {
    const dbFile = tempDbFile();
    a = await startServer({ dbFile });
    b = await startServer({ dbFile });
    token = createUserWithToken(dbFile, 'admin').token;
  });
  afterAll(async () => {
    await a?.stop();
    await b?.stop();
  });
  test('an update posted through one reaches an SSE viewer of the other within a second', () =>
    expectCrossInstanceLiveUpdate(a, b, token));
  test('a settings change made through one shows on the other at once', () => expectCrossInstanceSettings(a, b, token));
});

describe('two instances on a libSQL server (sqld)', () => {
  let sqld: Awaited<ReturnType<typeof startSqld>>;
  let a: TestServer;
  let b: TestServer;
  let token: string;
  beforeAll(async () => {
    sqld = await startSqld();
    a = await startServer({ databaseUrl: sqld.url });
    b = await startServer({ databaseUrl: sqld.url });
    token = createUserWithToken(sqld.url, 'admin').token;
  });
  afterAll(async () => {
    await a?.stop();
    await b?.stop();
    sqld?.stop();
  });
  test('migrations and the demo seed run once over the network', async () => {
    const components = (await api(a.url, token, 'GET', '/api/v1/components')).body.components;
    expect(components.map((c: { name: string }) => c.name)).toContain('Database (EU)');
    expect(components).toHaveLength(9);
    expect(a.output()).toContain('seeded the demo');
    expect(b.output()).not.toContain('seeded the demo');
  });
  test('an update posted through one reaches an SSE viewer of the other within a second', () =>
    expectCrossInstanceLiveUpdate(a, b, token));
  test('a settings change made through one shows on the other at once', () => expectCrossInstanceSettings(a, b, token));
});
