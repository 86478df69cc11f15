// Scheduled maintenance through the real server: scheduled in the admin, started and completed by
// the server's own clock, told to subscribers, and published as Statuspage JSON, a feed entry and
// an iCalendar event read by Debian's python3-icalendar.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { z } from 'zod';
import { adminSession } from './support/admin-session.ts';
import { createUserWithToken } from './support/api.ts';
import { parseCalendar, parseFeed } from './support/parsers.ts';
import { ResendMock } from './support/resend-mock.ts';
import { startServer, type TestServer } from './support/server.ts';
import { mailEnv, subscribeConfirmed, waitFor } from './support/subscribers.ts';
import { WebhookReceiver } from './support/webhook-receiver.ts';

const isoTime = z.iso.datetime({ offset: true });
// Statuspage's scheduled maintenance object (an incident with its window and impact "maintenance").
const maintenanceSchema = z.object({
  id: z.string(),
  name: z.string(),
  status: z.enum(['scheduled', 'in_progress', 'verifying', 'completed']),
  created_at: isoTime,
  updated_at: isoTime,
  monitoring_at: isoTime.nullable(),
  resolved_at: isoTime.nullable(),
  impact: z.literal('maintenance'),
  shortlink: z.url(),
  page_id: z.string(),
  scheduled_for: isoTime,
  scheduled_until: isoTime,
  incident_updates: z.array(
    z.object({
      id: z.string(),
      status: z.string(),
      body: z.string(),
      incident_id: z.string(),
      created_at: isoTime,
      updated_at: isoTime,
      display_at: isoTime,
    }),
  ),
});

let server: TestServer;
const mock = new ResendMock({ requestsPerSecond: 0 });
let admin: Awaited<ReturnType<typeof adminSession>>;
const hooks = new WebhookReceiver();

beforeAll(async () => {
  await mock.start();
  await hooks.start();
  server = await startServer({ env: mailEnv(mock, { CANDOR_MAINTENANCE_TICK_MS: '200' }) });
  const { email, password } = createUserWithToken(server.dbFile, 'support', 'ops@example.com', 'Ops');
  admin = await adminSession(server.url, email, password);
  await subscribeConfirmed(server.url, mock, 'watcher@example.com', [2]);
  expect(
    (
      await admin.post('/admin/subscribers', [
        ['url', `${hooks.url}/ops`],
        ['scope', 'some'],
        ['components', '2'],
      ])
    ).status,
  ).toBe(303);
});
afterAll(async () => {
  await server?.stop();
  await mock.stop();
  await hooks.stop();
});

const json = async (path: string) => (await (await fetch(server.url + path)).json()) as Record<string, any>;
const seconds = (ms: number) => new Date(ms).toISOString().slice(0, 19);

async function calendar() {
  const response = await fetch(server.url + '/maintenance.ics');
  expect(response.headers.get('content-type')).toBe('text/calendar; charset=utf-8');
  const raw = Buffer.from(await response.arrayBuffer());
  expect(raw.toString('utf8')).toMatch(/^BEGIN:VCALENDAR\r\n/);
  return parseCalendar(raw);
}

async function schedule(title: string, startsIn: number, lasts: number, fields: [string, string][] = []) {
  const start = Date.now() + startsIn;
  const answer = await admin.post('/admin/maintenance', [
    ['title', title],
    ['body', 'Writes pause for **a few seconds**.'],
    ['scheduledFor', seconds(start)],
    ['scheduledUntil', seconds(start + lasts)],
    ['componentIds', '2'],
    ['autoStart', 'on'],
    ['autoComplete', 'on'],
    ['remindMinutes', '0'],
    ['notify', 'on'],
    ...fields,
  ]);
  expect(answer.status, answer.html.slice(0, 300)).toBe(303);
  return Number(/\/admin\/maintenance\/(\d+)/.exec(answer.location!)![1]);
}

describe('scheduled maintenance on the server', () => {
  test('announced, started and completed by the clock, with the component under maintenance in between', async () => {
    const id = await schedule('Database upgrade', 3000, 3000);
    const upcoming = (await json('/api/v2/scheduled-maintenances/upcoming.json')).scheduled_maintenances;
    expect(upcoming.map((m: { id: string }) => m.id)).toEqual([`maintenance-${id}`]);
    maintenanceSchema.parse(upcoming[0]);
    expect(upcoming[0].incident_updates[0].body).toBe('Writes pause for **a few seconds**.');
    expect((await json('/api/v2/summary.json')).scheduled_maintenances.map((m: { id: string }) => m.id)).toEqual([
      `maintenance-${id}`,
    ]);
    expect(await (await fetch(server.url + '/')).text()).toContain('Scheduled maintenance');
    const [event] = await calendar();
    expect(event).toMatchObject({
      uid: `maintenance-${id}@${new URL(server.publicUrl).hostname}`,
      summary: 'Database upgrade',
      status: 'CONFIRMED',
      sequence: 0,
    });
    expect(event.start).toMatch(/\+00:00$/);
    await waitFor('announcement email', () =>
      mock.emailsTo('watcher@example.com').find((m) => m.subject.includes('Scheduled maintenance: Database upgrade')),
    );

    // the server's clock starts it
    await waitFor(
      'maintenance started',
      async () => (await json('/api/v2/scheduled-maintenances/active.json')).scheduled_maintenances.length === 1,
      8000,
    );
    const components = (await json('/api/v2/components.json')).components;
    expect(components.find((c: { id: string }) => c.id === '2').status).toBe('under_maintenance');
    expect(await (await fetch(`${server.url}/maintenance/${id}`)).text()).toContain(
      'data-maintenance-status>In progress<',
    );
    await waitFor('start email', () =>
      mock.emailsTo('watcher@example.com').find((m) => m.subject.includes('Maintenance in progress: Database upgrade')),
    );

    // ...and completes it, restoring the component
    await waitFor(
      'maintenance completed',
      async () => (await json(`/api/v2/scheduled-maintenances.json`)).scheduled_maintenances[0].status === 'completed',
      8000,
    );
    expect((await json('/api/v2/components.json')).components.find((c: { id: string }) => c.id === '2').status).toBe(
      'operational',
    );
    expect((await json('/api/v2/scheduled-maintenances/active.json')).scheduled_maintenances).toEqual([]);
    const done = (await json('/api/v2/scheduled-maintenances.json')).scheduled_maintenances[0];
    maintenanceSchema.parse(done);
    expect(done.incident_updates.map((u: { status: string }) => u.status)).toEqual([
      'completed',
      'in_progress',
      'scheduled',
    ]);
    await waitFor('completion email', () =>
      mock.emailsTo('watcher@example.com').find((m) => m.subject.includes('Maintenance completed: Database upgrade')),
    );
    // webhooks get Statuspage's shape: an incident with impact "maintenance" and its window
    const started = await waitFor('start webhook', () =>
      hooks.received.find((r) => r.json.event_type === 'maintenance.started'),
    );
    expect(Object.keys(started.json)).toEqual(['meta', 'page', 'event_type', 'incident']);
    maintenanceSchema.parse(started.json.incident);
    expect(started.json.incident).toMatchObject({
      id: `maintenance-${id}`,
      status: 'in_progress',
      components: [{ id: '2', status: 'under_maintenance' }],
    });
    expect(hooks.received.filter((r) => r.path === '/ops').map((r) => r.json.event_type)).toEqual(
      expect.arrayContaining(['maintenance.scheduled', 'maintenance.started', 'maintenance.completed']),
    );
    const [after] = await calendar();
    expect(after.sequence).toBe(2);
    const feed = parseFeed(Buffer.from(await (await fetch(server.url + '/history.atom')).arrayBuffer()));
    const entry = feed.entries.find(
      (e) => e.id === `tag:${new URL(server.publicUrl).hostname},2026:maintenance-${id}`,
    )!;
    expect(entry).toMatchObject({ title: 'Maintenance: Database upgrade (Completed)', tags: ['maintenance'] });
    expect(entry.html).toContain('<strong>a few seconds</strong>');
    // each message exactly once, although every tick of the clock looked at the window
    const subjects = mock
      .emailsTo('watcher@example.com')
      .map((m) => m.subject)
      .filter((s) => s.includes('Database upgrade'));
    expect(subjects).toEqual([
      '[Example Cloud] Scheduled maintenance: Database upgrade',
      '[Example Cloud] Maintenance in progress: Database upgrade',
      '[Example Cloud] Maintenance completed: Database upgrade',
    ]);
  });

  test('a cancelled window is marked in the calendar and leaves the API lists; bad input is refused', async () => {
    const id = await schedule('Network change', 3_600_000, 3_600_000);
    const post = await admin.post(`/admin/maintenance/${id}`, [
      ['action', 'update'],
      ['status', 'cancelled'],
      ['message', 'Not needed.'],
      ['notify', 'on'],
    ]);
    expect(post.status).toBe(303);
    const event = (await calendar()).find((e) => e.uid === `maintenance-${id}@${new URL(server.publicUrl).hostname}`)!;
    expect(event).toMatchObject({ status: 'CANCELLED', sequence: 1, summary: 'Cancelled: Network change' });
    expect((await json('/api/v2/scheduled-maintenances/upcoming.json')).scheduled_maintenances).toEqual([]);
    expect(
      (await json('/api/v2/scheduled-maintenances.json')).scheduled_maintenances.map((m: { id: string }) => m.id),
    ).not.toContain(`maintenance-${id}`);

    const bad = await admin.post('/admin/maintenance', [
      ['title', 'Oops'],
      ['body', 'x'],
      ['scheduledFor', '2026-12-02T10:00'],
      ['scheduledUntil', '2026-12-02T09:00'],
    ]);
    expect(bad.status).toBe(400);
    expect(bad.html).toContain('End must be after the start of the window');
    expect(bad.html).toContain('value="Oops"');
    const backwards = await admin.post(`/admin/maintenance/${id}`, [
      ['action', 'update'],
      ['status', 'in_progress'],
      ['message', 'x'],
    ]);
    expect(backwards.status).toBe(409);
    const gone = await admin.post('/admin/maintenance/999', [
      ['action', 'update'],
      ['status', 'completed'],
      ['message', 'x'],
    ]);
    expect([gone.status, gone.html]).toEqual([404, 'No maintenance with id 999.']);
  });
});
