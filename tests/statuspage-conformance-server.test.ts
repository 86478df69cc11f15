// Statuspage conformance, checked from outside. Every /api/v2 document and every webhook Candor
// sends (incident, component and maintenance events, the verification) is parsed with the schemas
// in support/statuspage-schemas.ts, written from Statuspage's public documentation and payloads:
// every documented key required with its type and enumeration, nested component objects included, plus the ordering
// rules (positions from 1 across the page, lists sorted by position, newest first). Then a real
// consumer, Atlassian's own status widget from npm (@statuspage/status-widget), renders Candor's
// summary in Chromium: the dot it draws must be the one Statuspage would draw. And the
// `statuspage.io` client from npm reads every endpoint it knows, and what it got must compile
// against its own declared types.
import http from 'node:http';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { Browser } from 'playwright-core';
import { Statuspage } from 'statuspage.io';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { z } from 'zod';
import { api, createUserWithToken } from './support/api.ts';
import { launchBrowser } from './support/browser.ts';
import { startServer, type TestServer } from './support/server.ts';
import { documents, WEBHOOK_SCHEMA, type ComponentJson } from './support/statuspage-schemas.ts';
import { compileStrict } from './support/tsc.ts';
import { waitFor } from './support/subscribers.ts';
import { WebhookReceiver, type Received } from './support/webhook-receiver.ts';

/** Statuspage's ordering rules for a list of components: positions 1..n in order; members follow their group. */
function expectPageOrder(components: ComponentJson[]) {
  expect(components.map((c) => c.position)).toEqual(components.map((_, i) => i + 1));
  for (const g of components.filter((c) => c.group)) {
    const at = components.indexOf(g);
    expect(components.slice(at + 1, at + 1 + g.components!.length).map((c) => c.id)).toEqual(g.components);
    for (const m of components.filter((c) => c.group_id === g.id)) expect(g.components).toContain(m.id);
  }
}

/** Every nested component object has the keys and values components.json gives it (its status may differ). */
function expectSameComponents(nested: ComponentJson[], list: ComponentJson[]) {
  const positions = nested.map((c) => c.position);
  expect(positions).toEqual([...positions].sort((a, b) => a - b));
  for (const c of nested) {
    const listed = list.find((l) => l.id === c.id);
    expect(listed, c.id).toBeDefined();
    expect({ ...c, status: listed!.status, updated_at: listed!.updated_at }).toEqual(listed);
  }
}

// ------------------------------------------------------------------------------------ the run

let server: TestServer;
let token: string;
let browser: Browser;
const hooks = new WebhookReceiver();
let widgetHost: http.Server;
let widgetUrl: string;

beforeAll(async () => {
  const hookUrl = await hooks.start();
  server = await startServer({
    env: {
      CANDOR_SEED: '0',
      CANDOR_OUTBOX_POLL_MS: '100',
      CANDOR_MAINTENANCE_TICK_MS: '200',
    },
  });
  token = createUserWithToken(server.dbFile, 'admin').token;
  const added = await api(server.url, token, 'POST', '/api/v1/subscribers', { url: `${hookUrl}/hook`, verify: true });
  expect(added.status, JSON.stringify(added.body)).toBe(201);
  browser = await launchBrowser();
  // The widget as a site that embeds it serves it: its own page, Candor's summary fetched cross-origin.
  const pkg = createRequire(import.meta.url).resolve('@statuspage/status-widget/package.json');
  const widget = readFileSync(join(dirname(pkg), 'dist/index.js'));
  widgetHost = http.createServer((req, res) => {
    if (req.url === '/status-widget.js') {
      res.writeHead(200, { 'content-type': 'text/javascript' });
      return res.end(widget);
    }
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end(`<!doctype html><html lang="en"><title>Embedding site</title>
<statuspage-widget src="${server.url}"></statuspage-widget>
<statuspage-widget src="${server.url}" appearance="badge"></statuspage-widget>
<script src="/status-widget.js"></script></html>`);
  });
  await new Promise<void>((ok) => widgetHost.listen(0, '127.0.0.1', ok));
  widgetUrl = `http://127.0.0.1:${(widgetHost.address() as { port: number }).port}/`;
});
afterAll(async () => {
  await browser?.close();
  await server?.stop();
  await hooks.stop();
  widgetHost?.closeAllConnections();
  await new Promise((ok) => widgetHost?.close(ok));
});

async function v2<P extends keyof typeof documents>(path: P): Promise<z.infer<(typeof documents)[P]>> {
  const response = await fetch(server.url + path);
  expect(response.status, path).toBe(200);
  expect(response.headers.get('access-control-allow-origin')).toBe('*');
  return documents[path].parse(await response.json()) as z.infer<(typeof documents)[P]>;
}

/** Every document parses, and their shared parts agree with components.json and status.json. */
async function checkAllDocuments() {
  const { components } = await v2('/api/v2/components.json');
  expectPageOrder(components);
  const summary = await v2('/api/v2/summary.json');
  expect(summary.components).toEqual(components);
  expect(summary.status).toEqual((await v2('/api/v2/status.json')).status);
  const lists = [
    ...summary.incidents,
    ...summary.scheduled_maintenances,
    ...(await v2('/api/v2/incidents.json')).incidents,
    ...(await v2('/api/v2/incidents/unresolved.json')).incidents,
    ...(await v2('/api/v2/scheduled-maintenances.json')).scheduled_maintenances,
    ...(await v2('/api/v2/scheduled-maintenances/upcoming.json')).scheduled_maintenances,
    ...(await v2('/api/v2/scheduled-maintenances/active.json')).scheduled_maintenances,
  ];
  for (const i of lists) {
    expectSameComponents(i.components, components);
    const created = i.incident_updates.map((u) => Date.parse(u.created_at));
    expect(created).toEqual([...created].sort((a, b) => b - a));
  }
  const incidents = (await v2('/api/v2/incidents.json')).incidents.map((i) => Date.parse(i.created_at));
  expect(incidents).toEqual([...incidents].sort((a, b) => b - a));
  return { summary, components };
}

/** The dot Atlassian's widget draws, in both its appearances, once it has read the summary. */
async function widgetIndicators(): Promise<{ indicator: string; text: string; colour: string }[]> {
  const tab = await browser.newPage();
  try {
    await tab.goto(widgetUrl);
    const dots = tab.locator('statuspage-widget .status-indicator');
    await expect.poll(() => dots.count(), { timeout: 10_000 }).toBe(2);
    return await dots.evaluateAll((nodes) =>
      nodes.map((n) => ({
        indicator: n.className.replace('status-indicator', '').trim(),
        text: (n.closest('.status-container')?.textContent ?? '').replace(/\s+/g, ' ').trim(),
        colour: getComputedStyle(n).backgroundColor,
      })),
    );
  } finally {
    await tab.close();
  }
}

/**
 * What the statuspage.io client reads from Candor through every call it has, checked against the
 * client's own types by tsc: its enums as the strings they stand for, extra keys allowed (real
 * pages send more than the client declares), every declared key required with its type.
 */
async function checkWithStatuspageClient(): Promise<void> {
  const client = new Statuspage('candor');
  client.setApiUrl(server.url);
  const read = {
    summary: await client.api.getSummary(),
    status: await client.api.getStatus(),
    components: await client.api.getComponents(),
    incidents: await client.api.incidents.getAll(),
    unresolved: await client.api.incidents.getUnresolved(),
  };
  const types = createRequire(import.meta.url).resolve('statuspage.io/dist/index.d.ts');
  const dir = mkdtempSync(join(tmpdir(), 'candor-statuspage-io-'));
  writeFileSync(
    join(dir, 'live.ts'),
    [
      `import type { Components, Incident, Incidents, Status, Summary } from ${JSON.stringify(types)};`,
      'type Wire<T> = T extends string ? `${T}` : T extends (infer U)[] ? Wire<U>[] : T extends object',
      '  ? { [K in keyof T]: Wire<T[K]> } & { [extra: string]: unknown } : T;',
      `export const summary: Wire<Summary> = ${JSON.stringify(read.summary)};`,
      `export const status: Wire<Status> = ${JSON.stringify(read.status)};`,
      `export const components: Wire<Components> = ${JSON.stringify(read.components)};`,
      `export const incidents: Wire<Incidents> = ${JSON.stringify(read.incidents)};`,
      `export const unresolved: Wire<Incidents> = ${JSON.stringify(read.unresolved)};`,
      '// @ts-expect-error the check has teeth: an impact the client does not know fails to compile',
      "export const wrong: Wire<Incident['impact']> = 'apocalyptic';",
    ].join('\n'),
  );
  const compile = compileStrict(join(dir, 'live.ts'));
  expect(compile.status, compile.output).toBe(0);
}

const since = (from: number) => hooks.received.slice(from);
const eventsOf = (received: Received[], type: string) => received.filter((r) => r.json.event_type === type);

describe('Statuspage conformance', () => {
  test('a page with groups: every document and webhook matches Statuspage’s schemas, positions and order', async () => {
    await waitFor('verification', () => eventsOf(hooks.received, 'subscription.verify')[0]);
    const group = await api(server.url, token, 'POST', '/api/v1/groups', { name: 'Core platform', position: 1 });
    expect(group.status).toBe(201);
    const make = async (name: string, groupId: number | null, position: number) => {
      const made = await api(server.url, token, 'POST', '/api/v1/components', {
        name,
        groupId,
        position,
        description: `${name} for customers`,
      });
      expect(made.status, JSON.stringify(made.body)).toBe(201);
      return String(made.body.component.id);
    };
    const email = await make('Email', null, 0);
    const web = await make('Web', group.body.group.id, 2);
    const apiId = await make('API', group.body.group.id, 1);

    const { components } = await checkAllDocuments();
    // Statuspage numbers the whole page from 1: the group, its members in order, then the rest.
    expect(components.map((c) => [c.name, c.position])).toEqual([
      ['Core platform', 1],
      ['API', 2],
      ['Web', 3],
      ['Email', 4],
    ]);
    expect(components.map((c) => c.id)).toEqual([`group-${group.body.group.id}`, apiId, web, email]);

    const from = hooks.received.length;
    const opened = await api(server.url, token, 'POST', '/api/v1/incidents', {
      title: 'API errors',
      impact: 'major',
      message: 'Investigating.',
      components: { [apiId]: 'partial_outage', [email]: 'degraded_performance' },
    });
    expect(opened.status).toBe(201);
    const id = opened.body.incident.id;
    await api(server.url, token, 'POST', `/api/v1/incidents/${id}/updates`, {
      status: 'identified',
      message: 'Found it.',
      components: { [apiId]: 'major_outage' },
    });
    // With an open incident on the page (and no maintenance, which the client's types cannot hold).
    await checkWithStatuspageClient();
    await api(server.url, token, 'POST', `/api/v1/incidents/${id}/updates`, {
      status: 'resolved',
      message: 'Fixed.',
      components: { [apiId]: 'operational', [email]: 'operational' },
    });
    await waitFor('incident.resolved', () => eventsOf(since(from), 'incident.resolved')[0]);
    await waitFor('four component changes', () => eventsOf(since(from), 'component.updated').length >= 4 || null);

    const after = await checkAllDocuments();
    for (const hook of since(from)) {
      const schema = WEBHOOK_SCHEMA[hook.json.event_type as string];
      expect(schema, hook.json.event_type).toBeDefined();
      schema.parse(hook.json);
    }
    const resolved = eventsOf(since(from), 'incident.resolved')[0].json;
    // The incident's components: full objects, in page order, as components.json has them.
    expect(resolved.incident.components.map((c: ComponentJson) => c.id)).toEqual([apiId, email]);
    expectSameComponents(resolved.incident.components, after.components);
    // affected_components name members "Group - Component", as Statuspage does.
    expect(resolved.incident.incident_updates[0].affected_components).toEqual([
      { code: apiId, name: 'Core platform - API', old_status: 'major_outage', new_status: 'operational' },
      { code: email, name: 'Email', old_status: 'degraded_performance', new_status: 'operational' },
    ]);
    expect(
      resolved.incident.incident_updates.map((u: { deliver_notifications: boolean }) => u.deliver_notifications),
    ).toEqual([true, true, true]);
    const update = eventsOf(since(from), 'component.updated').find((r) => r.json.component.id === apiId)!.json;
    expect(update.component).toEqual({
      ...after.components.find((c) => c.id === apiId),
      status: update.component.status,
      updated_at: update.component.updated_at,
    });
    // The verification tells the page's real state, not an empty description.
    const verify = eventsOf(hooks.received, 'subscription.verify')[0].json;
    expect(verify.page).toMatchObject({ status_indicator: 'none', status_description: 'All Systems Operational' });
  });

  test('maintenance: every event validates, updates carry their component changes, a cancellation says "completed"', async () => {
    const [apiComponent] = (await v2('/api/v2/components.json')).components.filter((c) => c.name === 'API');
    const from = hooks.received.length;
    // Reminders are whole minutes before the start and must lie ahead: this one falls due in 3 s.
    const start = Date.now() + 63_000;
    const scheduled = await api(server.url, token, 'POST', '/api/v1/maintenance', {
      title: 'Database upgrade',
      body: 'Writes pause.',
      scheduledFor: new Date(start).toISOString(),
      scheduledUntil: new Date(start + 30 * 60_000).toISOString(),
      componentIds: [Number(apiComponent.id)],
      autoStart: false,
      autoComplete: false,
      remindMinutes: 1,
    });
    expect(scheduled.status, JSON.stringify(scheduled.body)).toBe(201);
    const id = scheduled.body.maintenance.id;
    await waitFor('reminder', () => eventsOf(since(from), 'maintenance.reminder')[0]);
    const post = async (status: string, message: string) => {
      const answer = await api(server.url, token, 'POST', `/api/v1/maintenance/${id}/updates`, { status, message });
      expect(answer.status, JSON.stringify(answer.body)).toBe(201);
    };
    await post('in_progress', 'Started.');
    await waitFor('started', () => eventsOf(since(from), 'maintenance.started')[0]);

    // Only a maintenance in progress: Statuspage says "maintenance" everywhere.
    const { summary } = await checkAllDocuments();
    expect(summary.status).toEqual({ indicator: 'maintenance', description: 'Service Under Maintenance' });
    const started = eventsOf(since(from), 'maintenance.started')[0].json;
    expect(started.page).toMatchObject({
      status_indicator: 'maintenance',
      status_description: 'Service Under Maintenance',
    });
    expect(started.incident.incident_updates[0].affected_components).toEqual([
      {
        code: apiComponent.id,
        name: 'Core platform - API',
        old_status: 'operational',
        new_status: 'under_maintenance',
      },
    ]);
    expect(started.incident.scheduled_remind_prior).toBe(true);
    // In hours before the start, as Statuspage lists them.
    expect(JSON.parse(started.incident.reminder_intervals)).toEqual([1 / 60]);
    expect(started.incident.scheduled_reminded_at).not.toBeNull();
    const client = new Statuspage('candor');
    client.setApiUrl(server.url);
    expect((await client.api.getStatus()).status.indicator).toBe('maintenance');
    const badge = await (await fetch(`${server.url}/badge.svg`)).text();
    expect(badge).toContain('data-indicator="maintenance"');
    expect(badge).toContain('Service Under Maintenance');
    const widgetPage = await (await fetch(`${server.url}/widget`)).text();
    expect(widgetPage).toContain('data-indicator="maintenance"');
    // Atlassian's widget: its maintenance style (blue), not the green "none" dot.
    expect(await widgetIndicators()).toEqual([
      { indicator: 'maintenance', text: 'Service Under Maintenance', colour: 'rgb(52, 152, 219)' },
      { indicator: 'maintenance', text: 'system status Service Under Maintenance', colour: 'rgb(52, 152, 219)' },
    ]);

    await post('verifying', 'Checking.');
    await post('completed', 'Done.');
    const completed = await waitFor('completed', () => eventsOf(since(from), 'maintenance.completed')[0]);
    expect(completed.json.incident.incident_updates[0].affected_components).toEqual([
      {
        code: apiComponent.id,
        name: 'Core platform - API',
        old_status: 'under_maintenance',
        new_status: 'operational',
      },
    ]);
    expect(completed.json.page.status_indicator).toBe('none');

    const later = Date.now() + 2 * 60 * 60_000;
    const other = await api(server.url, token, 'POST', '/api/v1/maintenance', {
      title: 'Called off',
      body: 'Maybe.',
      scheduledFor: new Date(later).toISOString(),
      scheduledUntil: new Date(later + 60_000).toISOString(),
      componentIds: [],
      remindMinutes: 0,
    });
    const mark = hooks.received.length;
    const cancelled = await api(server.url, token, 'POST', `/api/v1/maintenance/${other.body.maintenance.id}/updates`, {
      status: 'cancelled',
      message: 'Not needed after all.',
    });
    expect(cancelled.status).toBe(201);
    const told = await waitFor('cancellation', () => eventsOf(since(mark), 'maintenance.updated')[0]);
    expect(told.json.incident.status).toBe('completed');
    expect(told.json.incident.incident_updates[0]).toMatchObject({
      status: 'completed',
      body: 'Not needed after all.',
    });
    expect(told.json.incident.resolved_at).not.toBeNull();

    for (const hook of since(from)) WEBHOOK_SCHEMA[hook.json.event_type as string].parse(hook.json);
    expect(new Set(since(from).map((r) => r.json.event_type))).toEqual(
      new Set([
        'maintenance.scheduled',
        'maintenance.reminder',
        'maintenance.started',
        'maintenance.updated',
        'maintenance.completed',
        'component.updated',
      ]),
    );
    await checkAllDocuments();
    // Back to normal, Atlassian's widget says so in green.
    expect((await widgetIndicators()).map((w) => [w.indicator, w.colour])).toEqual([
      ['none', 'rgb(46, 204, 113)'],
      ['none', 'rgb(46, 204, 113)'],
    ]);
  });
});
