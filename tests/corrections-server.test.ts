// Correcting a posted incident update through the real server: only its text changes (not its
// time or status); the change is audited with the old and new text; the public page, the live
// stream, the feeds (read by a real feed parser) and the Statuspage v2 API show the corrected
// text, marked as edited; subscribers hear of it only when the editor asks, by a correction notice
// through the outbox. API v1 and the admin form do the same, and bad corrections are refused.
import { createClient } from '@libsql/client';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { adminSession } from './support/admin-session.ts';
import { api, createUserWithToken } from './support/api.ts';
import { openEvents } from './support/events.ts';
import { parseFeed } from './support/parsers.ts';
import { ResendMock } from './support/resend-mock.ts';
import { startServer, type TestServer } from './support/server.ts';
import { mailEnv, subscribeConfirmed, waitFor } from './support/subscribers.ts';

let server: TestServer;
const mock = new ResendMock({ requestsPerSecond: 0 });
let token: string;
let readToken: string;
let admin: Awaited<ReturnType<typeof adminSession>>;

beforeAll(async () => {
  await mock.start();
  server = await startServer({ env: mailEnv(mock) });
  const root = createUserWithToken(server.dbFile, 'admin', 'root@example.com', 'Root Admin');
  token = root.token;
  readToken = createUserWithToken(server.dbFile, 'admin', 'reader@example.com', 'Reader', 'read').token;
  admin = await adminSession(server.url, root.email, root.password);
  await subscribeConfirmed(server.url, mock, 'follower@example.com', 'all');
});
afterAll(async () => {
  await server?.stop();
  await mock.stop();
});

async function query(sql: string, args: (string | number)[] = []) {
  const client = createClient({ url: `file:${server.dbFile}` });
  try {
    return (await client.execute({ sql, args })).rows;
  } finally {
    client.close();
  }
}

const notificationKinds = async (incidentId: number) =>
  (await query(`select kind from notifications where incident_id = ? order by id`, [incidentId])).map((r) => r.kind);

async function openIncident(message: string) {
  const opened = await api(server.url, token, 'POST', '/api/v1/incidents', {
    title: 'Login errors',
    impact: 'minor',
    message,
  });
  expect(opened.status).toBe(201);
  const incident = opened.body.incident;
  return { id: incident.id as number, updateId: incident.updates[0].id as number };
}

const publicText = async (path: string) => (await fetch(server.url + path)).text();

describe('correcting a posted update', () => {
  test('API v1: the text changes everywhere the public reads it, marked edited, audited, and nobody is told', async () => {
    const { id, updateId } = await openIncident('Teh login servise is failing for some users.');
    await waitFor('the opening email', () =>
      mock.emailsTo('follower@example.com').find((m) => m.subject.includes('Login errors')),
    );
    // Warm the page cache first: the correction must reach pages already cached.
    expect(await publicText(`/incidents/${id}`)).toContain('Teh login servise');
    expect(await publicText('/')).toContain('Teh login servise');
    const before = (await api(server.url, token, 'GET', `/api/v1/incidents/${id}`)).body.incident.updates[0];
    const events = await openEvents(server.url);
    await events.until(/event: hello\n/);

    const corrected = await api(server.url, token, 'PATCH', `/api/v1/incidents/${id}/updates/${updateId}`, {
      message: 'The login service is failing for some users.',
    });
    expect(corrected.status, JSON.stringify(corrected.body)).toBe(200);
    const update = corrected.body.update;
    expect(update).toMatchObject({
      id: updateId,
      status: before.status,
      display_at: before.display_at,
      created_at: before.created_at,
      message: 'The login service is failing for some users.',
    });
    expect(update.edited_at).toEqual(expect.any(String));

    // The live stream names the incident, and its fragment carries the new text.
    const change = JSON.parse((await events.until(/event: change\ndata: (.*)\n/))[1]) as {
      subjects: string[];
      status: string;
    };
    events.close();
    expect(change.subjects).toEqual([`incident:${id}`]);
    const fragment = await publicText(change.status);
    expect(fragment).toContain('The login service is failing');
    expect(fragment).not.toContain('Teh login');

    for (const path of [`/incidents/${id}`, '/']) {
      const html = await publicText(path);
      expect(html, path).toContain('The login service is failing');
      expect(html, path).not.toContain('Teh login servise');
      expect(html, path).toMatch(/data-edited[^>]*>\s*· Edited <time datetime="[^"]+"/);
    }
    const v2 = JSON.parse(await publicText('/api/v2/incidents.json'));
    const v2Update = v2.incidents.find((i: { id: string }) => i.id === String(id)).incident_updates[0];
    expect(v2Update.body).toBe('The login service is failing for some users.');
    expect(v2Update.updated_at).toBe(update.edited_at);
    expect(v2Update.created_at).toBe(before.created_at);
    for (const feed of ['/history.atom', '/history.rss']) {
      const parsed = parseFeed(Buffer.from(await (await fetch(server.url + feed)).arrayBuffer()));
      const entry = parsed.entries.find((e) => e.link.endsWith(`/incidents/${id}`))!;
      expect(entry.html, feed).toContain('The login service is failing');
      expect(entry.html, feed).not.toContain('Teh login');
      expect(entry.html, feed).toContain('Edited');
    }

    const [audit] = await query(
      `select action, before, after, actor_name from audit_log where action = 'incident.update.correct' and subject_id = ?`,
      [String(id)],
    );
    expect(audit.actor_name).toBe('Root Admin');
    expect(JSON.parse(String(audit.before))).toEqual({
      updateId,
      message: 'Teh login servise is failing for some users.',
    });
    expect(JSON.parse(String(audit.after))).toMatchObject({
      updateId,
      message: 'The login service is failing for some users.',
      notify: false,
    });
    // Quiet by default: only the opening was announced.
    expect(await notificationKinds(id)).toEqual(['incident.created']);
  });

  test('the admin form corrects an update and, when asked, sends subscribers a correction notice', async () => {
    const { id, updateId } = await openIncident('We are seeing 50% errors.');
    const page = await admin.get(`/admin/incidents/${id}`);
    expect(page.html).toContain(`id="update-${updateId}"`);
    expect(page.html).toContain('Save correction');
    const posted = await admin.post(`/admin/incidents/${id}`, [
      ['action', 'correct'],
      ['updateId', String(updateId)],
      ['message', 'We are seeing 5% errors.'],
      ['notify', 'on'],
    ]);
    expect(posted.status).toBe(303);
    const after = await admin.get(posted.location!);
    expect(after.html).toMatch(
      /data-corrected>\s*Correction saved\. The update shows the new text, marked as edited, and 1 subscriber is being sent a correction notice\./,
    );
    expect(await notificationKinds(id)).toEqual(['incident.created', 'incident.corrected']);
    const mail = await waitFor('the correction notice', () =>
      mock.emailsTo('follower@example.com').find((m) => m.subject.includes('Correction: Login errors')),
    );
    expect(mail.text).toContain('We corrected our update of');
    expect(mail.text).toContain('We are seeing 5% errors.');
    expect(mail.text).not.toContain('50%');
    // the update keeps its status and time; it is not a new update
    const incident = (await api(server.url, token, 'GET', `/api/v1/incidents/${id}`)).body.incident;
    expect(incident.updates).toHaveLength(1);
    expect(incident.updates[0]).toMatchObject({ status: 'investigating', message: 'We are seeing 5% errors.' });
  });

  test('an unchanged or empty text, another incident’s update, and a read-only token are refused; nothing changes', async () => {
    const { id, updateId } = await openIncident('Original words.');
    const other = await openIncident('Other words.');
    const path = `/api/v1/incidents/${id}/updates/${updateId}`;
    const unchanged = await api(server.url, token, 'PATCH', path, { message: 'Original words.' });
    expect([unchanged.status, unchanged.body.error.message]).toEqual([
      409,
      'The text is the same as the one posted: change it to correct it.',
    ]);
    const empty = await api(server.url, token, 'PATCH', path, { message: '  ' });
    expect(empty.status).toBe(400);
    expect(empty.body.error.details).toEqual([expect.stringMatching(/^message: Message is required/)]);
    const elsewhere = await api(server.url, token, 'PATCH', `/api/v1/incidents/${id}/updates/${other.updateId}`, {
      message: 'Sneaky.',
    });
    expect([elsewhere.status, elsewhere.body.error.message]).toEqual([
      404,
      `Incident ${id} has no update with id ${other.updateId}.`,
    ]);
    const notAnId = await api(server.url, token, 'PATCH', `/api/v1/incidents/${id}/updates/01`, { message: 'x' });
    expect(notAnId.status).toBe(404);
    const readOnly = await api(server.url, readToken, 'PATCH', path, { message: 'Reader words.' });
    expect(readOnly.status).toBe(403);
    const formRefused = await admin.post(`/admin/incidents/${id}`, [
      ['action', 'correct'],
      ['updateId', String(updateId)],
      ['message', ''],
    ]);
    expect(formRefused.status).toBe(400);
    expect(formRefused.html).toContain('The correction was not saved');
    expect(formRefused.html).toMatch(new RegExp(`<details id="update-${updateId}"[^>]*open`));
    const rows = await query(`select body, edited_at from incident_updates where id in (?, ?)`, [
      updateId,
      other.updateId,
    ]);
    expect(rows.map((r) => [r.body, r.edited_at])).toEqual([
      ['Original words.', null],
      ['Other words.', null],
    ]);
  });
});
