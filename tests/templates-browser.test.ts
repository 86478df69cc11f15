// Incident templates: managed in the admin, chosen when opening an incident or posting an update.
import { describe, expect, test } from 'vitest';
import { adminSession } from './support/admin-session.ts';
import { api, createUserWithToken } from './support/api.ts';
import { axeViolations, loggedIn, serverAndBrowser } from './support/browser.ts';

const ctx = serverAndBrowser();

const template = (name: string, extra: [string, string][] = []): [string, string][] => [
  ['action', 'create'],
  ['name', name],
  ['title', 'Payments failing'],
  ['status', 'identified'],
  ['impact', 'major'],
  ['message', 'Card payments fail. We know why and are fixing it. Next update in 30 minutes.'],
  ['component-2', 'partial_outage'],
  ...extra,
];

describe('incident templates', () => {
  test('created in the admin, refused when wrong, and prefilling the incident forms', async () => {
    const { server, browser } = ctx;
    const user = createUserWithToken(server.dbFile, 'support', 'desk@example.com', 'Desk');
    const admin = await adminSession(server.url, user.email, user.password);
    expect((await admin.post('/admin/templates', template('Payments outage'))).status).toBe(303);
    const duplicate = await admin.post('/admin/templates', template('Payments outage'));
    expect(duplicate.status).toBe(409);
    expect(duplicate.html).toContain('A template named &quot;Payments outage&quot; already exists.');
    const unknown = await admin.post('/admin/templates', template('Ghost', [['component-999', 'major_outage']]));
    expect(unknown.status).toBe(404);
    const empty = await admin.post('/admin/templates', [
      ['action', 'create'],
      ['name', 'Empty'],
      ['message', ''],
    ]);
    expect(empty.status).toBe(400);
    expect(empty.html).toContain('Message is required');
    expect(empty.html).toContain('value="Empty"');

    const list = (await admin.get('/admin/templates')).html;
    const id = /data-template="(\d+)"/.exec(list)![1];
    const form = (await admin.get(`/admin/incidents/new?template=${id}`)).html;
    expect(form).toContain('value="Payments failing"');
    expect(form).toContain('Card payments fail. We know why and are fixing it. Next update in 30 minutes.</textarea>');
    expect(form).toMatch(
      /<select id="component-2" name="component-2">[\s\S]*?<option value="partial_outage" selected>/,
    );
    expect(form).toMatch(/<option value="identified" selected>/);

    // the incident page offers it for updates too, with its states preselected
    const opened = await api(server.url, user.token, 'POST', '/api/v1/incidents', {
      title: 'Checkout slow',
      impact: 'minor',
      message: 'Looking.',
      components: {},
    });
    const update = (await admin.get(`/admin/incidents/${opened.body.incident.id}?template=${id}`)).html;
    expect(update).toContain('Card payments fail. We know why and are fixing it.');
    expect(update).toMatch(/<option value="major" selected>/);
    // an unknown template id is ignored, not an error
    expect((await admin.get('/admin/incidents/new?template=999')).status).toBe(200);

    const support = await loggedIn(browser, server.url, user.email, user.password);
    await support.page.goto(`${server.url}/admin/incidents/new`);
    await support.page.selectOption('#template', { label: 'Payments outage' });
    await support.page.click('button:has-text("Use template")');
    expect(await support.page.inputValue('#title')).toBe('Payments failing');
    expect(await axeViolations(support.page)).toEqual([]);
    await support.page.click('button:has-text("Open incident")');
    await expect.poll(() => support.page.url()).toMatch(/\/admin\/incidents\/\d+\?posted=1&update=\d+&notified=1$/);
    await support.page.goto(`${server.url}/admin/templates`);
    expect(await axeViolations(support.page)).toEqual([]);
    await support.context.close();
    const incidents = (await api(server.url, user.token, 'GET', '/api/v1/incidents')).body.incidents as {
      title: string;
      status: string;
      updates: { affected_components: { id: number; new_status: string }[] }[];
    }[];
    const made = incidents.find((i) => i.title === 'Payments failing')!;
    expect(made.status).toBe('identified');
    expect(made.updates[0].affected_components).toEqual([
      expect.objectContaining({ id: 2, new_status: 'partial_outage' }),
    ]);
  });
});
