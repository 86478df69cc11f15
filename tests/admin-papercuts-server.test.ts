// What the admin says about the outbox, subscribers, notifications and SLAs matches what happened,
// through the real server: a staff invitation is not a subscriber, the subscribers list counts
// what the database holds, notices say who is being told, downtime reads like its percentage, and
// a refused field is named by its label with how to fix it (the API keeps the field's key).
import { createClient } from '@libsql/client';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { formatAchieved, formatDowntime } from '../src/domain/format.ts';
import { adminSession } from './support/admin-session.ts';
import { api, createUserWithToken } from './support/api.ts';
import { startServer, type TestServer } from './support/server.ts';
import { addConfirmedSubscribers, postForm } from './support/subscribers.ts';

let server: TestServer;
let admin: Awaited<ReturnType<typeof adminSession>>;
let token: string;

beforeAll(async () => {
  server = await startServer();
  const root = createUserWithToken(server.dbFile, 'admin', 'root@example.com', 'Root');
  token = root.token;
  admin = await adminSession(server.url, root.email, root.password);
});
afterAll(() => server?.stop());

async function query(sql: string, args: (string | number)[] = []) {
  const client = createClient({ url: `file:${server.dbFile}` });
  try {
    return (await client.execute({ sql, args })).rows;
  } finally {
    client.close();
  }
}

/** The notice on the page a form post redirected to. */
async function noticeAfter(answer: { status: number; location: string | null }): Promise<string> {
  expect(answer.status).toBe(303);
  const html = (await admin.get(answer.location!)).html;
  return /<p class="notice" role="status">\s*([\s\S]*?)\s*<\/p>/.exec(html)![1].replace(/\s+/g, ' ');
}

describe('the outbox and the subscribers list', () => {
  test('a staff invitation is shown as a team member’s mail, and is no subscriber', async () => {
    const invited = await admin.post('/admin/users', [
      ['action', 'invite'],
      ['name', 'Sam'],
      ['email', 'sam@example.com'],
      ['role', 'support'],
    ]);
    expect(invited.status).toBe(200);
    const [staff] = await query(`select id from subscribers where kind = 'staff' and address = 'sam@example.com'`);
    const outbox = (await admin.get('/admin/outbox')).html;
    expect(outbox).toMatch(/sam@example.com <span class="muted">\(team member\)<\/span>/);
    expect(outbox).not.toContain(`href="/admin/subscribers/${staff.id}"`);
    expect((await admin.get(`/admin/subscribers/${staff.id}`)).status).toBe(404);
    expect((await admin.get('/admin/subscribers')).html).not.toContain('sam@example.com');
  });

  test('the Queued count of each subscriber is the same on the list, its page and in the database', async () => {
    // Two requests for one address and one for another: deliveries and subscribers get different ids.
    for (const email of ['one@example.com', 'one@example.com', 'two@example.com'])
      expect((await postForm(server.url + '/subscribe', [['email', email]], { origin: server.url })).status).toBe(200);
    const list = (await admin.get('/admin/subscribers')).html;
    for (const email of ['one@example.com', 'two@example.com']) {
      const [row] = await query(
        `select s.id, (select count(*) from deliveries d where d.subscriber_id = s.id and d.state = 'queued') as queued
         from subscribers s where s.address = ?`,
        [email],
      );
      const cells = new RegExp(`${email}</a></td>(?:<td>[^<]*</td>){5}<td>(\\d+)</td>`).exec(
        list.replace(/>\s+</g, '><'),
      );
      expect(Number(cells![1]), `${email} on the list`).toBe(Number(row.queued));
      const page = (await admin.get(`/admin/subscribers/${row.id}`)).html;
      expect(page.split('data-delivery-state="queued"').length - 1, `${email} on its page`).toBe(Number(row.queued));
    }
  });
});

describe('notices after posting', () => {
  test('opening, updating and resolving say how many subscribers are told, or that nobody is', async () => {
    const open = (title: string) =>
      admin.post('/admin/incidents/new', [
        ['title', title],
        ['impact', 'minor'],
        ['status', 'investigating'],
        ['message', 'Looking into it.'],
        ['notify', 'on'],
      ]);
    // No confirmed subscriber yet (the two above never confirmed).
    const first = await open('Nobody told');
    expect(await noticeAfter(first)).toContain('no subscriber follows the affected components, so nobody was notified');
    const firstId = /incidents\/(\d+)/.exec(first.location!)![1];
    const resolved = await admin.post(`/admin/incidents/${firstId}`, [
      ['status', 'resolved'],
      ['message', 'Fixed.'],
      ['notify', 'on'],
    ]);
    const resolvedNotice = await noticeAfter(resolved);
    expect(resolvedNotice).not.toContain('are being notified');
    expect(resolvedNotice).toContain('nobody was notified');

    await addConfirmedSubscribers(server.dbFile, 2);
    const second = await open('Two told');
    expect(await noticeAfter(second)).toContain('It is live on the public page and 2 subscribers are being notified');
    const secondId = /incidents\/(\d+)/.exec(second.location!)![1];
    const quiet = await admin.post(`/admin/incidents/${secondId}`, [
      ['status', 'resolved'],
      ['message', 'Fixed, quietly.'],
    ]);
    expect(await noticeAfter(quiet)).toContain('you chose not to notify subscribers');

    // A draft (as alerts open them) published with notify tells the same subscribers.
    const draft = await api(server.url, token, 'POST', '/api/v1/incidents', {
      title: 'Draft from an alert',
      impact: 'minor',
      message: 'Checking.',
      draft: true,
    });
    expect(draft.status).toBe(201);
    // An update to the draft is neither public nor sent, and the notice says so.
    const drafted = await admin.post(`/admin/incidents/${draft.body.incident.id}`, [
      ['status', 'identified'],
      ['message', 'Found it.'],
      ['notify', 'on'],
    ]);
    const draftNotice = await noticeAfter(drafted);
    expect(draftNotice).toBe(
      'Update saved in the draft. Nothing is public and nobody is notified until you publish it.',
    );
    const published = await admin.post(`/admin/incidents/${draft.body.incident.id}`, [
      ['action', 'publish'],
      ['notify', 'on'],
    ]);
    expect(await noticeAfter(published)).toContain('on the status page now and 2 subscribers are being notified');
  });
});

describe('the SLA table', () => {
  test('downtime under a minute reads in seconds, and only no downtime reads 100%', async () => {
    expect(formatDowntime(0)).toBe('none');
    expect(formatDowntime(29_000)).toBe('29 s');
    expect(formatDowntime(400)).toBe('1 s');
    expect(formatDowntime(29 * 60_000)).toBe('29 min');
    expect(formatAchieved(99.933, 29_000)).toBe('99.933%');
    expect(formatAchieved(99.99999, 1_000)).toBe('> 99.999%');
    expect(formatAchieved(100, 0)).toBe('100%');

    // The demo's review has an SLA table: every row's two figures agree.
    const html = (await admin.get('/admin/reviews/1')).html;
    const table = /<table data-sla>[\s\S]*?<\/table>/.exec(html)![0];
    const rows = [...table.matchAll(/<tr>\s*((?:<td>[\s\S]*?<\/td>\s*)+)<\/tr>/g)].map((m) =>
      [...m[1].matchAll(/<td>([\s\S]*?)<\/td>/g)].map((c) => c[1].trim()),
    );
    expect(rows.length).toBeGreaterThan(0);
    for (const [, , , achieved, downtime] of rows) {
      expect(downtime).not.toBe('0 min');
      if (downtime === 'none') expect(achieved).toBe('100%');
      else expect(achieved).not.toMatch(/^100/);
    }
  });
});

describe('plain-language errors', () => {
  const alertText = (html: string) => /<div class="error-box" role="alert">([\s\S]*?)<\/div>/.exec(html)![1];
  const window = (hours: number) => new Date(Date.now() + hours * 3_600_000).toISOString().slice(0, 16);

  test('a form names each wrong field by its label and says how to fix it', async () => {
    const bad = await admin.post('/admin/maintenance', [
      ['title', ''],
      ['body', 'Writes pause.'],
      ['scheduledFor', window(24)],
      ['scheduledUntil', window(25)],
      ['remindMinutes', '-5'],
    ]);
    expect(bad.status).toBe(400);
    const shown = alertText(bad.html);
    expect(shown).toContain('<li>Title is required</li>');
    expect(shown).toContain('<li>Reminder must be 0 or more minutes</li>');
    expect(shown).not.toMatch(/remindMinutes|Too small|expected number/);
  });

  test('the API keeps the field keys in details, each with the same sentence', async () => {
    const r = await api(server.url, token, 'POST', '/api/v1/maintenance', {
      title: '',
      body: 'Writes pause.',
      scheduledFor: new Date(Date.now() + 86_400_000).toISOString(),
      scheduledUntil: new Date(Date.now() + 90_000_000).toISOString(),
      remindMinutes: -5,
    });
    expect(r.status).toBe(400);
    expect(r.body.error.details).toEqual([
      'title: Title is required',
      'remindMinutes: Reminder must be 0 or more minutes',
    ]);
    expect(r.body.error.message).toBe('Title is required; Reminder must be 0 or more minutes');
  });

  test('a date-only field is checked as a date', async () => {
    const fields = (dueAt: string): [string, string][] => [
      ['action', 'save-action'],
      ['title', 'Alert on replication lag'],
      ['owner', 'Ops'],
      ['priority', 'p1'],
      ['category', 'detect'],
      ['status', 'open'],
      ['dueAt', dueAt],
    ];
    const timed = await admin.post('/admin/reviews/1', fields('2026-12-01T10:00'));
    expect(timed.status).toBe(400);
    expect(alertText(timed.html)).toContain('Due date must be a date, such as 2026-12-31');
    const impossible = await admin.post('/admin/reviews/1', fields('2026-02-30'));
    expect(alertText(impossible.html)).toContain('Due date must be a date, such as 2026-12-31');
    expect((await admin.post('/admin/reviews/1', fields('2026-12-01'))).status).toBe(303);
  });
});
